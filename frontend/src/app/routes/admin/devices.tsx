import { Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { DevicesTable } from '@/features/devices/components/devices-table';

/** All devices, or one client's (`?owner_id=`), each linking to its charts. */
export function AdminDevicesRoute() {
  const [params] = useSearchParams();
  const ownerId = params.get('owner_id') ?? undefined;
  return (
    <Stack>
      {ownerId && (
        <Group>
          <Text size="sm">Showing one client&apos;s devices.</Text>
          <Button component={Link} to="/admin/devices" size="xs" variant="subtle">
            Show all
          </Button>
        </Group>
      )}
      <DevicesTable
        key={ownerId ?? 'all'}
        ownerId={ownerId}
        renderName={(device) => (
          <Anchor component={Link} to={`/devices/${device.id}`}>
            {device.name}
          </Anchor>
        )}
      />
    </Stack>
  );
}
