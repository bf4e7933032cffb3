import { Text } from '@mantine/core';
import { useOwner } from '../api/get-owner';

/** The owner's name for a table cell, or "Unassigned". */
export function OwnerName({ ownerId }: { ownerId?: string | null }) {
  const owner = useOwner(ownerId);
  if (!ownerId) return <Text c="dimmed" size="sm">Unassigned</Text>;
  if (owner.isPending) return <Text c="dimmed" size="sm">…</Text>;
  if (owner.isError) return <Text size="sm">{ownerId.slice(0, 8)}</Text>;
  return <Text size="sm">{owner.data.full_name} ({owner.data.username})</Text>;
}
