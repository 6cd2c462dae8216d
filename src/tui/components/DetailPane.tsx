// A scrolled detail: an exchange (headers, decoded fields, XML, the expected
// diff, findings) or a finding with its evidence. Lines come pre-wrapped to
// the width (view-model wrapDetail), so one line is one screen row.
import { Box, Text } from 'ink';
import type { DetailLine } from '../view-model.js';
import { SafeText } from './SafeText.js';
import { toneColour } from './theme.js';

export interface DetailPaneProps {
  title: string;
  lines: readonly DetailLine[];
  /** First line shown. */
  top: number;
  height: number;
  color?: boolean;
}

export function DetailPane({ title, lines, top, height, color = true }: DetailPaneProps) {
  const h = Math.max(1, height - 1);
  const shown = lines.slice(top, top + h);
  const more = lines.length > top + h ? ` ↓ ${lines.length - top - h} more` : '';
  return (
    <Box flexDirection="column">
      <SafeText bold inverse>{`${title}${more}`}</SafeText>
      {shown.map((l, i) => (
        <SafeText key={`${top + i}`} color={toneColour(l.tone, color)} bold={l.tone === 'heading' || l.tone === 'label'} dimColor={l.tone === 'dim'}>
          {l.text === '' ? ' ' : l.text}
        </SafeText>
      ))}
    </Box>
  );
}
