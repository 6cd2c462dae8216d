// Every string a component prints goes through here: the props of these
// components may come straight from a live capture, so they are neutralised
// again (safeText is idempotent) and cut to the line, never wrapped into
// the next row.
import { Text, type TextProps } from 'ink';
import { safeText } from '../sanitize.js';

export interface SafeTextProps extends Omit<TextProps, 'children'> {
  children: string;
}

export function SafeText({ children, ...props }: SafeTextProps) {
  return (
    <Text wrap="truncate-end" {...props}>
      {safeText(children)}
    </Text>
  );
}
