import { Pagination, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { pageCount } from '@/lib/pagination';
import { formatDateTime, formatKwh } from '@/lib/time';
import { useDeviceEvents } from '../api/get-device-events';
import type { MeterEvent } from '../types';

function describe(event: MeterEvent): string {
  if (event.kind === 'reset') {
    return `The register fell from ${formatKwh(event.register_before_kwh)} to ${formatKwh(event.register_after_kwh)}: a meter reset.`;
  }
  return `No reading for a long time: ${formatKwh(event.unspread_kwh)} used in between is not in the hourly totals.`;
}

/** The meter resets and reading gaps of a device, so every kWh of its register is accounted for. */
export function MeterEvents({ deviceId }: { deviceId: string }) {
  const [page, setPage] = useState(1);
  const events = useDeviceEvents(deviceId, page);
  if (events.isPending) return <LoadingState label="Loading meter events…" />;
  if (events.isError) return <ErrorState error={events.error} onRetry={() => events.refetch()} />;
  if (events.data.total === 0) return null;
  return (
    <Paper withBorder p="md" radius="md">
      <Stack>
        <Title order={2} size="h4">
          Meter events
        </Title>
        <Table aria-label="Meter events">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>From</Table.Th>
              <Table.Th>To</Table.Th>
              <Table.Th>What happened</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {events.data.items.map((event) => (
              <Table.Tr key={event.to}>
                <Table.Td>{formatDateTime(event.from)}</Table.Td>
                <Table.Td>{formatDateTime(event.to)}</Table.Td>
                <Table.Td>
                  <Text size="sm">{describe(event)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {pageCount(events.data) > 1 && <Pagination total={pageCount(events.data)} value={page} onChange={setPage} />}
      </Stack>
    </Paper>
  );
}
