// The bottom line: the filter being typed or in force, and the key hints.
import { Text } from 'ink';
import type { Mode } from '../keys.js';
import { SafeText } from './SafeText.js';

export interface StatusBarProps {
  mode: Mode;
  filter: string;
  /** `12/25 phones` */
  info: string;
  /** Key hints after the info. @default the browse UI's */
  hints?: string;
}

export function StatusBar({ mode, filter, info, hints = '↑↓ jk move · Enter open · Esc back · / filter · ? help · q quit' }: StatusBarProps) {
  if (mode === 'filter') return <SafeText inverse>{`/${filter}▏  Enter keep · Esc drop  ${info}`}</SafeText>;
  const f = filter ? `filter "${filter}" · ` : '';
  return (
    <Text wrap="truncate-end" dimColor>
      <SafeText>{`${f}${info} · ${hints}`}</SafeText>
    </Text>
  );
}
