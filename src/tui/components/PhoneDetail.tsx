// The phone screen: who the phone is, then its timeline and its findings as
// one selectable list (timeline rows first), windowed to the height given.
import { Box, Text } from 'ink';
import type { PhoneView } from '../view-model.js';
import { windowStart } from '../view-model.js';
import { FindingsList } from './FindingsList.js';
import { SafeText } from './SafeText.js';
import { StatusBadge } from './StatusBadge.js';
import { Timeline } from './Timeline.js';

export interface PhoneDetailProps {
  view: PhoneView;
  /** Selected row: timeline rows are 0..n-1, findings follow. */
  selected: number;
  height: number;
  color?: boolean;
}

export function PhoneDetail({ view, selected, height, color = true }: PhoneDetailProps) {
  const nt = view.timeline.length;
  // Identity (2 lines) and two section headings take 4 rows; a highlighted finding may add a remedy line.
  const room = Math.max(2, height - 5);
  const total = nt + view.findings.length;
  const start = windowStart(selected, total, room);
  const end = start + room;
  const tl = view.timeline.slice(Math.min(start, nt), Math.min(end, nt));
  const fs = view.findings.slice(Math.max(0, start - nt), Math.max(0, end - nt));
  const tlOffset = Math.min(start, nt);
  const fsOffset = Math.max(0, start - nt);
  return (
    <Box flexDirection="column">
      <Box flexDirection="row">
        <StatusBadge status={view.row.status} color={color} />
        <SafeText bold>{view.identity[0] ?? ''}</SafeText>
      </Box>
      <SafeText dimColor>{view.identity[1] ?? ''}</SafeText>
      {start < nt || nt === 0 ? (
        <>
          <Text bold color={color ? 'cyan' : undefined}>{`Timeline (${nt})`}</Text>
          <Timeline rows={tl} selected={selected - tlOffset} color={color} />
        </>
      ) : null}
      {end > nt || view.findings.length === 0 ? (
        <>
          <Text bold color={color ? 'cyan' : undefined}>{`Findings (${view.findings.length})`}</Text>
          <FindingsList rows={fs} selected={selected - nt - fsOffset} color={color} />
        </>
      ) : null}
    </Box>
  );
}
