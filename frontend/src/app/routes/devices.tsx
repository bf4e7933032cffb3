import { Anchor, Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { BudgetPanel } from '@/features/budgets/components/budget-panel';
import { ConsumptionSummaryCard, DeviceCostSummary } from '@/features/consumption/components/consumption-summary';
import { CurrentConsumption } from '@/features/consumption/components/current-consumption';
import { TotalConsumptionPanel } from '@/features/consumption/components/total-consumption-panel';
import { useDevices } from '@/features/devices/api/get-devices';
import { useUser } from '@/lib/auth';

/**
 * The client's home: all devices together as a chart (day/week/month/year, compared with earlier periods), today's
 * and this month's totals, the budget, and each device with this hour's consumption, live.
 */
export function DevicesRoute() {
  const user = useUser();
  const devices = useDevices({ perPage: 100 });
  return (
    <Stack>
      <Title order={1} size="h2">
        My devices
      </Title>
      {user.role === 'client' && <TotalConsumptionPanel />}
      {user.role === 'client' && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <ConsumptionSummaryCard />
          <BudgetPanel clientId={user.id} />
        </SimpleGrid>
      )}
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
                {user.role === 'client' && <DeviceCostSummary deviceId={device.id} />}
                <CurrentConsumption deviceId={device.id} />
              </Stack>
            </Card>
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
