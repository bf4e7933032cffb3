import { Group, Progress, Skeleton, Stack, Text } from '@mantine/core';
import { describeError } from '@/lib/api-error';
import { formatMoney, formatPricePerKwh } from '@/lib/money';
import { formatHour, formatKwh } from '@/lib/time';
import { useCurrentConsumption } from '../api/get-current-consumption';

/** This hour's consumption against the device's hourly limit, live, and its cost so far when a tariff applies. */
export function CurrentConsumption({ deviceId }: { deviceId: string }) {
  const current = useCurrentConsumption(deviceId);
  if (current.isPending) return <Skeleton height={44} aria-label="Loading current consumption" />;
  if (current.isError) {
    return (
      <Text c="red" size="sm" role="alert">
        {describeError(current.error)}
      </Text>
    );
  }
  const { kwh, max_hourly_kwh: limit, hour_start: hourStart, currency, cost, price_per_kwh: price } = current.data;
  const share = limit > 0 ? Math.min(100, (kwh / limit) * 100) : 0;
  const over = kwh > limit;
  return (
    <Stack gap={4}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" c="dimmed">
          This hour (since {formatHour(hourStart)})
        </Text>
        <Text size="sm" fw={600} c={over ? 'red' : undefined} data-testid="current-kwh">
          {formatKwh(kwh)} / {formatKwh(limit)}
        </Text>
      </Group>
      {currency && (
        <Text size="xs" c="dimmed" data-testid="current-cost">
          {cost == null ? 'Cost so far: not priced yet' : `Cost so far: ${formatMoney(cost, currency)}`}
          {price != null && ` at ${formatPricePerKwh(price, currency)}`}
        </Text>
      )}
      <Progress
        value={share}
        color={over ? 'red' : share > 80 ? 'orange' : 'teal'}
        aria-label={`This hour: ${formatKwh(kwh)} of the ${formatKwh(limit)} limit${over ? ', over the limit' : ''}`}
      />
    </Stack>
  );
}
