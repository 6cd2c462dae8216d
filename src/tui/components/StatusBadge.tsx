// A phone's status as a fixed-width badge: FAILING, STUCK, UPDATED...
import { Box, Text } from 'ink';
import type { Badge } from '../view-model.js';
import { badgeColour } from './theme.js';

/** Badge text, padded to the widest status so columns line up. */
export function badgeText(status: Badge): string {
  return (status === 'site' ? 'OTHER' : status.toUpperCase()).padEnd(11);
}

export function StatusBadge({ status, color = true }: { status: Badge; color?: boolean }) {
  return (
    <Box width={11} flexShrink={0}>
      <Text color={badgeColour(status, color)} bold={status === 'failing' || status === 'stuck'}>
        {badgeText(status)}
      </Text>
    </Box>
  );
}
