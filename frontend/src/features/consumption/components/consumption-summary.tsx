import { Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { ErrorState } from '@/components/ui/states';
import { formatMoney } from '@/lib/money';
import { browserTimeZone, formatKwh } from '@/lib/time';
import { useConsumptionSummary } from '../api/get-consumption-summary';
import type { Amount } from '../types';

function Figure({ label, amount, currency }: { label: string; amount: Amount; currency?: string | null }) {
  return (
    <Stack gap={0} aria-label={label} role="group">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl">
        {currency && amount.cost != null ? formatMoney(amount.cost, currency) : formatKwh(amount.kwh)}
      </Text>
      {currency && amount.cost != null && <Text size="sm">{formatKwh(amount.kwh)}</Text>}
    </Stack>
  );
}

/** Today's and this month's kWh and cost for all of a client's devices (admins: pass `clientId`). */
export function ConsumptionSummaryCard({ clientId }: { clientId?: string }) {
  const summary = useConsumptionSummary({ tz: browserTimeZone(), clientId });
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="All devices">
      <Stack gap="sm">
        <Title order={2} size="h4">
          All devices
        </Title>
        {summary.isPending ? (
          <Skeleton height={56} aria-label="Loading the summary" />
        ) : summary.isError ? (
          <ErrorState error={summary.error} onRetry={() => summary.refetch()} />
        ) : (
          <>
            <SimpleGrid cols={2}>
              <Figure label="Today" amount={summary.data.today} currency={summary.data.currency} />
              <Figure label="This month" amount={summary.data.month} currency={summary.data.currency} />
            </SimpleGrid>
            {!summary.data.currency && (
              <Text size="xs" c="dimmed">
                No tariff assigned yet: consumption is shown in kWh.
              </Text>
            )}
          </>
        )}
      </Stack>
    </Paper>
  );
}

/** One device's today and month from the same summary (one request for the whole home page). */
export function DeviceCostSummary({ deviceId, clientId }: { deviceId: string; clientId?: string }) {
  const summary = useConsumptionSummary({ tz: browserTimeZone(), clientId });
  const device = summary.data?.devices.find((item) => item.device_id === deviceId);
  if (!summary.data || !device) return null;
  const { currency } = summary.data;
  const text = (amount: Amount) =>
    currency && amount.cost != null ? `${formatKwh(amount.kwh)} · ${formatMoney(amount.cost, currency)}` : formatKwh(amount.kwh);
  return (
    <Group gap="lg" data-testid="device-summary">
      <Text size="sm">
        <Text span c="dimmed" size="sm">
          Today{' '}
        </Text>
        {text(device.today)}
      </Text>
      <Text size="sm">
        <Text span c="dimmed" size="sm">
          This month{' '}
        </Text>
        {text(device.month)}
      </Text>
    </Group>
  );
}
