import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatHour, formatKwh } from '@/lib/time';
import type { DayConsumption } from '../types';
import { BucketTable } from './bucket-table';
import { BucketTooltip } from './bucket-tooltip';
import { CostLine } from './cost-line';

/** Hourly bars of one local day with the device's limit as a line (hours over it are red) and the day's cost above. */
export function DayChart({ day }: { day: DayConsumption }) {
  const limit = day.max_hourly_kwh;
  const data = day.hours.map((hour) => ({ ...hour, label: formatHour(hour.start) }));
  const total = day.hours.reduce((sum, hour) => sum + hour.kwh, 0);
  const peak = Math.max(limit, ...day.hours.map((hour) => hour.kwh));
  return (
    <figure style={{ margin: 0 }} data-testid="day-chart">
      <CostLine buckets={day.hours} totals={day} />
      <div role="img" aria-label={`Hourly consumption on ${day.date}: ${formatKwh(total)} in total, limit ${formatKwh(limit)} per hour`}>
        <ResponsiveContainer width="100%" height={280}>
          <BarChart data={data} margin={{ top: 16, right: 8, left: 0, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" interval="preserveStartEnd" minTickGap={12} fontSize={12} />
            <YAxis fontSize={12} width={48} domain={[0, Math.ceil(peak * 1.15 * 100) / 100]} unit="" />
            <Tooltip content={(props) => <BucketTooltip {...props} currency={day.currency} title={(hour) => `Hour from ${hour.label}`} />} />
            <Bar dataKey="kwh" name="Consumption" isAnimationActive={false}>
              {data.map((hour) => (
                <Cell key={hour.start} fill={hour.kwh > limit ? '#e03131' : '#1c7ed6'} />
              ))}
            </Bar>
            <ReferenceLine y={limit} stroke="#e8590c" strokeDasharray="6 4" label={{ value: 'Limit', position: 'insideTopRight', fontSize: 12 }} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <BucketTable caption={`Consumption per hour on ${day.date}`} buckets={day.hours} label={formatHour} currency={day.currency} />
    </figure>
  );
}
