// Findings as one line each: severity, code, the evidence frames, the message.
// The highlighted one also shows its remedy, so the answer is one key away.
import { Box, Text } from 'ink';
import type { FindingRow } from '../view-model.js';
import { SafeText } from './SafeText.js';
import { severityColour } from './theme.js';

export interface FindingsListProps {
  rows: readonly FindingRow[];
  /** Highlighted row; -1 for none. */
  selected: number;
  color?: boolean;
}

/** `frames 14, 16` (or `no frames`), the evidence in Wireshark's numbering. */
export function framesText(frames: readonly number[]): string {
  if (frames.length === 0) return 'no frames';
  const shown = frames.slice(0, 12).join(', ');
  return `frames ${shown}${frames.length > 12 ? ` (+${frames.length - 12})` : ''}`;
}

export function FindingsList({ rows, selected, color = true }: FindingsListProps) {
  if (rows.length === 0) return <Text dimColor>  no findings</Text>;
  return (
    <Box flexDirection="column">
      {rows.map((f, i) => {
        const at = i === selected;
        return (
          <Box key={`${f.index}`} flexDirection="column">
            <Box flexDirection="row">
              <Box width={1} flexShrink={0}>
              <Text inverse={at}>{at ? '›' : ' '}</Text>
            </Box>
              <Box width={8} flexShrink={0}>
                <Text color={severityColour(f.severity, color)} bold={f.severity === 'error'}>
                  {f.severity}
                </Text>
              </Box>
              <Box flexGrow={1}>
                <SafeText bold={at}>{`${f.code}  ${framesText(f.frames)}  ${f.message}`}</SafeText>
              </Box>
            </Box>
            {at && f.remedy ? <SafeText dimColor>{`         remedy: ${f.remedy}`}</SafeText> : null}
          </Box>
        );
      })}
    </Box>
  );
}
