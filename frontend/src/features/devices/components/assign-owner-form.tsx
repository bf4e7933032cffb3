import { Button, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '@/lib/api-error';
import type { User } from '@/lib/session';
import { useAssignDevice } from '../api/assign-device';
import { useOwner } from '../api/get-owner';
import type { Device } from '../types';
import { OwnerPicker } from './owner-picker';

/** Assigns a device to a user, or unassigns it. */
export function AssignOwnerForm({ device, onDone }: { device: Device; onDone: () => void }) {
  const current = useOwner(device.owner_id);
  const [picked, setPicked] = useState<User | null | undefined>(undefined);
  const owner = picked === undefined ? (current.data ?? null) : picked;
  const assign = useAssignDevice();

  const save = (userId: string | null) => assign.mutate({ deviceId: device.id, userId }, { onSuccess: onDone });

  return (
    <Stack>
      <Text size="sm">
        Device <strong>{device.name}</strong>
      </Text>
      <OwnerPicker value={owner} onChange={setPicked} />
      {assign.isError && (
        <Text c="red" size="sm" role="alert">
          {describeError(assign.error)}
        </Text>
      )}
      <Group justify="space-between">
        <Button variant="subtle" color="red" disabled={!device.owner_id} loading={assign.isPending} onClick={() => save(null)}>
          Unassign
        </Button>
        <Group>
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button disabled={!owner || owner.id === device.owner_id} loading={assign.isPending} onClick={() => owner && save(owner.id)}>
            Assign
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}
