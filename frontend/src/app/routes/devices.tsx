import { Anchor, Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { CurrentConsumption } from '@/features/consumption/components/current-consumption';
import { useDevices } from '@/features/devices/api/get-devices';

/** The client's home: each device with this hour's consumption against its limit, live. */
export function DevicesRoute() {
  const devices = useDevices({ perPage: 100 });
  return (
    <Stack>
      <Title order={1} size="h2">
        My devices
      </Title>
      {devices.isPending ? (
        <LoadingState label="Loading your devices…" />
      ) : devices.isError ? (
        <ErrorState error={devices.error} onRetry={() => devices.refetch()} />
      ) : devices.data.items.length === 0 ? (
        <EmptyState title="No devices yet">An administrator assigns meters to your account. Ask support in the chat.</EmptyState>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {devices.data.items.map((device) => (
            <Card key={device.id} withBorder radius="md" component="article" aria-label={device.name}>
              <Stack gap="xs">
                <Anchor component={Link} to={`/devices/${device.id}`} fw={700} size="lg">
                  {device.name}
                </Anchor>
                {device.address && (
                  <Text size="sm" c="dimmed">
                    {device.address}
                  </Text>
                )}
                <CurrentConsumption deviceId={device.id} />
              </Stack>
            </Card>
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
