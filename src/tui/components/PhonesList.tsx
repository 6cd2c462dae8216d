// The phones list: one row per phone with its status badge, MAC, IP, model,
// version and finding counts. Presentational: rows come in as plain props
// (from view-model.ts, or from the live dashboard as phones appear).
import { Box, Text } from 'ink';
import type { FindingCounts, PhoneRow } from '../view-model.js';
import { windowStart } from '../view-model.js';
import { SafeText } from './SafeText.js';
import { StatusBadge } from './StatusBadge.js';

export interface PhonesListProps {
  rows: readonly PhoneRow[];
  /** Index of the highlighted row; -1 for none. */
  selected: number;
  /** Rows of screen available. */
  height: number;
  color?: boolean;
  /** Shown when rows is empty. */
  empty?: string;
}

/** `2E 1W 0I`, or `ok` with none. */
export function countsText(c: FindingCounts): string {
  if (c.error + c.warning + c.info === 0) return 'ok';
  return `${c.error}E ${c.warning}W ${c.info}I`;
}

export function PhonesList({ rows, selected, height, color = true, empty = 'no phones' }: PhonesListProps) {
  if (rows.length === 0) return <Text dimColor>{empty}</Text>;
  const h = Math.max(1, height);
  const start = windowStart(Math.max(0, selected), rows.length, h);
  const shown = rows.slice(start, start + h);
  return (
    <Box flexDirection="column">
      {shown.map((r, i) => {
        const at = start + i === selected;
        return (
          <Box key={r.key} flexDirection="row">
            <Box width={1} flexShrink={0}>
              <Text inverse={at}>{at ? '›' : ' '}</Text>
            </Box>
            <StatusBadge status={r.status} color={color} />
            <Box width={18} flexShrink={0}>
              <SafeText bold={at}>{r.label}</SafeText>
            </Box>
            <Box width={16} flexShrink={0}>
              <SafeText>{r.ip}</SafeText>
            </Box>
            <Box width={10} flexShrink={0}>
              <Text color={color ? (r.counts.error ? 'red' : r.counts.warning ? 'yellow' : undefined) : undefined}>{countsText(r.counts)}</Text>
            </Box>
            <Box flexGrow={1}>
              <SafeText dimColor={!at}>{`${r.version}  ${r.model}`}</SafeText>
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}
