// The `?` screen: every key binding (keys.ts HELP_LINES).
import { Box, Text } from 'ink';

export function Help({ lines, title = 'upxray browse: keys' }: { lines: readonly string[]; title?: string }) {
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Text bold>{title}</Text>
      {lines.map((l) => (
        <Text key={l}>{l}</Text>
      ))}
      <Text dimColor>any key closes this help</Text>
    </Box>
  );
}
