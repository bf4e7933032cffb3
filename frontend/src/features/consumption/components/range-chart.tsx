import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDay, formatKwh } from '@/lib/time';
import type { RangeConsumption } from '../types';
import { BucketTable } from './bucket-table';
import { BucketTooltip } from './bucket-tooltip';
import { CostLine } from './cost-line';

/** Daily bars over a week or a month, with the period's cost above. */
export function RangeChart({ range, caption }: { range: RangeConsumption; caption: string }) {
  const { buckets } = range;
  const data = buckets.map((bucket) => ({ ...bucket, label: formatDay(bucket.start) }));
  const total = buckets.reduce((sum, bucket) => sum + bucket.kwh, 0);
  return (
    <figure style={{ margin: 0 }} data-testid="range-chart">
      <CostLine buckets={buckets} totals={range} />
      <div role="img" aria-label={`${caption}: ${formatKwh(total)} in total`}>
        <ResponsiveContainer width="100%" height={280}>
          <BarChart data={data} margin={{ top: 16, right: 8, left: 0, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" interval="preserveStartEnd" minTickGap={8} fontSize={12} />
            <YAxis fontSize={12} width={48} />
            <Tooltip content={(props) => <BucketTooltip {...props} currency={range.currency} title={(bucket) => bucket.label} />} />
            <Bar dataKey="kwh" name="Consumption" fill="#1c7ed6" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <BucketTable caption={caption} buckets={buckets} label={formatDay} currency={range.currency} />
    </figure>
  );
}
