import { Badge, Button, Group, Pagination, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { formatDateTime, formatHour, formatKwh } from '@/lib/time';
import { useAcknowledgeAlert } from '../api/acknowledge-alert';
import { useAlerts } from '../api/get-alerts';
import { alertEnd, isUnusual, unusualAlertText } from '../alert-text';
import type { Alert, AlertKind } from '../types';
import { UnusualBadge } from './unusual-badge';

const PER_PAGE = 20;
type Show = 'open' | 'all';
type KindFilter = 'all' | AlertKind;

const EMPTY: Record<KindFilter, string> = {
  all: 'No hour has gone over its limit and no unusual consumption was found.',
  limit: 'No hour has gone over its limit.',
  unusual: 'No unusual consumption was found.',
};

/** Alerts with acknowledge; `renderDevice` (from the app) turns a device id into a name or link. */
export function AlertsTable({ title = 'Alerts', renderDevice }: { title?: string; renderDevice?: (alert: Alert) => React.ReactNode }) {
  const [show, setShow] = useState<Show>('open');
  const [kind, setKind] = useState<KindFilter>('all');
  const [page, setPage] = useState(1);
  const alerts = useAlerts({
    acknowledged: show === 'open' ? false : undefined,
    kind: kind === 'all' ? undefined : kind,
    page,
    perPage: PER_PAGE,
  });
  const ack = useAcknowledgeAlert();
  const total = alerts.data?.total;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {title}
        </Title>
        <Group gap="sm">
          <SegmentedControl
            aria-label="Kind of alert"
            value={kind}
            onChange={(value) => {
              setKind(value as KindFilter);
              setPage(1);
            }}
            data={[
              { value: 'all', label: 'All kinds' },
              { value: 'limit', label: 'Limit' },
              { value: 'unusual', label: 'Unusual' },
            ]}
          />
          <SegmentedControl
            aria-label="Which alerts"
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
      </Group>
      {alerts.isPending ? (
        <LoadingState label="Loading alerts…" />
      ) : alerts.isError ? (
        <ErrorState error={alerts.error} onRetry={() => alerts.refetch()} />
      ) : alerts.data.items.length === 0 ? (
        <EmptyState title="No alerts">{show === 'open' ? 'Everything is acknowledged.' : EMPTY[kind]}</EmptyState>
      ) : (
        <>
          <Table.ScrollContainer minWidth={600}>
            <Table striped aria-label={title}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Device</Table.Th>
                  <Table.Th>Hours</Table.Th>
                  <Table.Th>Consumption</Table.Th>
                  <Table.Th>Limit</Table.Th>
                  <Table.Th>Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {alerts.data.items.map((alert) => (
                  <Table.Tr key={alert.id}>
                    <Table.Td>{renderDevice ? renderDevice(alert) : alert.device_id.slice(0, 8)}</Table.Td>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        {isUnusual(alert) && <UnusualBadge />}
                        <span>
                          {formatDateTime(alert.hour_start)}–{formatHour(alertEnd(alert))}
                        </span>
                      </Group>
                      {isUnusual(alert) && (
                        <Text size="xs" c="dimmed" data-testid="unusual-explanation">
                          {unusualAlertText(alert)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{formatKwh(alert.kwh)}</Table.Td>
                    <Table.Td>{isUnusual(alert) ? '—' : formatKwh(alert.max_hourly_kwh)}</Table.Td>
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
                          aria-label={`Acknowledge alert for ${formatDateTime(alert.hour_start)}`}
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
          {total !== undefined && total > PER_PAGE && (
            <Pagination total={Math.ceil(total / PER_PAGE)} value={page} onChange={setPage} />
          )}
        </>
      )}
    </Stack>
  );
}
