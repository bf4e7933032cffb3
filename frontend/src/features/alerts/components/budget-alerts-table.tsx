import { Badge, Button, Group, Pagination, SegmentedControl, Stack, Table, Title } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { formatAmount } from '@/lib/money';
import { pageCount } from '@/lib/pagination';
import { formatDateTime } from '@/lib/time';
import { useAcknowledgeBudgetAlert } from '../api/acknowledge-budget-alert';
import { useBudgetAlerts } from '../api/get-budget-alerts';
import { budgetAlertText } from '../budget-alert-text';

const PER_PAGE = 20;
type Show = 'open' | 'all';

/** Budget alerts (projected over, or spent) with acknowledge; `showClient` adds the client's name (admins). */
export function BudgetAlertsTable({ title = 'Budget alerts', showClient = false }: { title?: string; showClient?: boolean }) {
  const [show, setShow] = useState<Show>('open');
  const [page, setPage] = useState(1);
  const alerts = useBudgetAlerts({ unacknowledged: show === 'open', page, perPage: PER_PAGE });
  const ack = useAcknowledgeBudgetAlert();

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h3">
          {title}
        </Title>
        <SegmentedControl
          aria-label="Which budget alerts"
          value={show}
          onChange={(value) => {
            setShow(value as Show);
            setPage(1);
          }}
          data={[
            { value: 'open', label: 'Not acknowledged' },
            { value: 'all', label: 'All' },
          ]}
        />
      </Group>
      {alerts.isPending ? (
        <LoadingState label="Loading budget alerts…" />
      ) : alerts.isError ? (
        <ErrorState error={alerts.error} onRetry={() => alerts.refetch()} />
      ) : alerts.data.items.length === 0 ? (
        <EmptyState title="No budget alerts">{show === 'open' ? 'Everything is acknowledged.' : 'No month has gone over its budget.'}</EmptyState>
      ) : (
        <>
          <Table.ScrollContainer minWidth={640}>
            <Table striped aria-label={title}>
              <Table.Thead>
                <Table.Tr>
                  {showClient && <Table.Th>Client</Table.Th>}
                  <Table.Th>Month</Table.Th>
                  <Table.Th>Alert</Table.Th>
                  <Table.Th>Spent</Table.Th>
                  <Table.Th>Projected</Table.Th>
                  <Table.Th>Raised</Table.Th>
                  <Table.Th>Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {alerts.data.items.map((alert) => (
                  <Table.Tr key={alert.id}>
                    {showClient && <Table.Td>{alert.client_name ?? alert.client_id.slice(0, 8)}</Table.Td>}
                    <Table.Td>{alert.month}</Table.Td>
                    <Table.Td>{budgetAlertText(alert)}</Table.Td>
                    <Table.Td>{formatAmount(alert.spent, alert.budget.kind, alert.currency)}</Table.Td>
                    <Table.Td>{formatAmount(alert.projected, alert.budget.kind, alert.currency)}</Table.Td>
                    <Table.Td>{formatDateTime(alert.created_at)}</Table.Td>
                    <Table.Td>
                      {alert.acknowledged_at ? (
                        <Badge color="gray" variant="light">
                          Acknowledged
                        </Badge>
                      ) : (
                        <Button
                          size="xs"
                          variant="light"
                          loading={ack.isPending && ack.variables === alert.id}
                          onClick={() => ack.mutate(alert.id)}
                          aria-label={`Acknowledge budget alert for ${alert.month} (${alert.kind})`}
                        >
                          Acknowledge
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {alerts.data.total > PER_PAGE && <Pagination total={pageCount(alerts.data)} value={page} onChange={setPage} />}
        </>
      )}
    </Stack>
  );
}
