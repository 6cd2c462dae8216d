// A phone's timeline: check-ins, downloads and failed connections, with the
// time, the gap since the previous entry and the frames to look at.
import { Box, Text } from 'ink';
import type { TimelineRow } from '../view-model.js';
import { SafeText } from './SafeText.js';

export interface TimelineProps {
  rows: readonly TimelineRow[];
  /** Highlighted row; -1 for none. */
  selected: number;
  color?: boolean;
}

const MARK: Record<TimelineRow['kind'], string> = { 'check-in': 'check-in', download: 'download', 'connection-failed': 'no conn.', log: 'log' };

export function Timeline({ rows, selected, color = true }: TimelineProps) {
  if (rows.length === 0) return <Text dimColor>  no check-ins or downloads</Text>;
  return (
    <Box flexDirection="column">
      {rows.map((r, i) => {
        const at = i === selected;
        const frames = r.frames.length ? `frames ${r.frames.join(', ')}  ` : '';
        return (
          <Box key={`${i}`} flexDirection="row">
            <Box width={1} flexShrink={0}>
              <Text inverse={at}>{at ? '›' : ' '}</Text>
            </Box>
            <Box width={14} flexShrink={0}>
              <Text dimColor>{r.time}</Text>
            </Box>
            <Box width={10} flexShrink={0}>
              <Text color={color ? (r.kind === 'connection-failed' ? 'red' : r.kind === 'download' ? 'cyan' : undefined) : undefined}>{MARK[r.kind]}</Text>
            </Box>
            <Box flexGrow={1}>
              <SafeText bold={at}>{`${frames}${r.summary}${r.gap ? `  (${r.gap})` : ''}`}</SafeText>
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}
