import { Paper, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { formatMoney, formatPricePerKwh } from '@/lib/money';
import { formatKwh } from '@/lib/time';
import type { Bucket } from '../types';

type Props = {
  active?: boolean;
  payload?: ReadonlyArray<{ payload?: unknown }>;
  title: (bucket: Bucket & { label: string }) => string;
  currency?: string | null;
  /** More lines under the bucket's own (compared periods, the forecast). */
  extra?: (bucket: Bucket & { label: string }) => ReactNode;
};

/** The chart's tooltip: the bucket's kWh and, with a tariff, its cost and mean price per kWh. */
export function BucketTooltip({ active, payload, title, currency, extra }: Props) {
  const bucket = payload?.[0]?.payload as (Bucket & { label: string }) | undefined;
  if (!active || !bucket) return null;
  return (
    <Paper withBorder shadow="sm" p="xs" radius="sm">
      <Text size="sm" fw={600}>
        {title(bucket)}
      </Text>
      <Text size="sm">{formatKwh(bucket.kwh)}</Text>
      {currency && bucket.cost != null && (
        <Text size="sm">
          {formatMoney(bucket.cost, currency)}
          {bucket.price_per_kwh != null && ` at ${formatPricePerKwh(bucket.price_per_kwh, currency)}`}
        </Text>
      )}
      {currency && (bucket.unpriced_kwh ?? 0) > 0 && (
        <Text size="sm" c="orange">
          {formatKwh(bucket.unpriced_kwh ?? 0)} without a price
        </Text>
      )}
      {extra?.(bucket)}
    </Paper>
  );
}
