import { Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { BudgetPanel } from '@/features/budgets/components/budget-panel';
import { ConsumptionSummaryCard } from '@/features/consumption/components/consumption-summary';
import { TotalConsumptionPanel } from '@/features/consumption/components/total-consumption-panel';
import { TariffAssignmentPanel } from '@/features/tariffs/components/tariff-assignment-panel';
import { useUserById } from '@/features/users/api/get-user';

/** One client for admins: this month's consumption and cost, all their devices as a chart, their tariff with its history, and their budget. */
export function AdminClientRoute() {
  const { userId = '' } = useParams();
  const user = useUserById(userId);
  return (
    <Stack maw={960}>
      <Anchor component={Link} to="/admin/users" size="sm">
        ← Back to users
      </Anchor>
      {user.isPending ? (
        <LoadingState label="Loading the client…" />
      ) : user.isError ? (
        <ErrorState error={user.error} onRetry={() => user.refetch()} />
      ) : (
        <>
          <Group justify="space-between" align="flex-end">
            <div>
              <Title order={1} size="h2">
                {user.data.full_name}
              </Title>
              <Text c="dimmed">
                {user.data.username}
                {user.data.address ? ` · ${user.data.address}` : ''}
              </Text>
            </div>
            <Button component={Link} to={`/admin/devices?owner_id=${encodeURIComponent(user.data.id)}`} variant="light" size="xs">
              Devices
            </Button>
          </Group>
          {user.data.role === 'client' ? (
            <>
              <ConsumptionSummaryCard clientId={user.data.id} />
              <TotalConsumptionPanel clientId={user.data.id} />
              <TariffAssignmentPanel target={{ clientId: user.data.id }} title="Tariff" />
              <BudgetPanel clientId={user.data.id} />
            </>
          ) : (
            <Text>Admins have no devices, tariff or budget.</Text>
          )}
        </>
      )}
    </Stack>
  );
}
