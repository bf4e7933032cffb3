import { Group, Text } from '@mantine/core';
import { formatMoney } from '@/lib/money';
import { formatKwh } from '@/lib/time';
import type { Bucket, CostTotals } from '../types';

/** The words of the total line: `12.340 kWh · €3.12 (standing charge €0.35)`; kWh only without a tariff. */
export function costLineText(kwh: number, totals: CostTotals): string {
  const { currency, cost_total: cost, standing_charge: standing } = totals;
  if (!currency) return formatKwh(kwh);
  const money = cost == null ? 'no cost yet' : formatMoney(cost, currency);
  const charge = standing ? ` (standing charge ${formatMoney(standing, currency)})` : '';
  return `${formatKwh(kwh)} · ${money}${charge}`;
}

/**
 * The total line above a chart, flagging energy no price covered (never counted as free). The total is
 * `kwh` when the answer gives it, else the buckets' sum.
 */
export function CostLine({ buckets, totals, kwh: total }: { buckets: Bucket[]; totals: CostTotals; kwh?: number }) {
  const kwh = total ?? buckets.reduce((sum, bucket) => sum + bucket.kwh, 0);
  const unpriced = buckets.reduce((sum, bucket) => sum + (bucket.unpriced_kwh ?? 0), 0);
  return (
    <Group gap="sm" data-testid="cost-line">
      <Text fw={600}>{costLineText(kwh, totals)}</Text>
      {totals.currency && unpriced > 0 && (
        <Text size="sm" c="orange" data-testid="unpriced">
          {formatKwh(unpriced)} without a price
        </Text>
      )}
    </Group>
  );
}
