import { Stack, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import { Bar, CartesianGrid, Cell, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { formatMoney } from '@/lib/money';
import { addDays, formatDay, formatHour, formatKwh, formatMonth, isoDate, parseIsoDate, periodSpan, type Period } from '@/lib/time';
import type { Bucket, CompareKind, Comparison, PeriodConsumption } from '../types';
import { BucketTable, type ExtraColumn } from './bucket-table';
import { BucketTooltip } from './bucket-tooltip';
import { CostLine, costLineText } from './cost-line';

const COLORS = { kwh: '#1c7ed6', over: '#e03131', limit: '#e8590c', previous: '#868e96', year: '#ae3ec9', forecast: '#2f9e44' };

/** What a compared period is called on a chart of `period`: "Previous week", "A year earlier". */
export function comparisonLabel(kind: CompareKind, period: Period): string {
  return kind === 'previous' ? `Previous ${period}` : 'A year earlier';
}

/** The caption of a chart (and of its screen-reader table), from the answer's period and date. */
export function periodCaption(answer: Pick<PeriodConsumption, 'period' | 'date' | 'scope'>): string {
  const day = parseIsoDate(answer.date) ?? new Date(answer.date);
  const span = periodSpan(answer.period, day);
  const what = answer.scope === 'client' ? 'All devices: consumption' : 'Consumption';
  switch (answer.period) {
    case 'day':
      return `${what} per hour on ${answer.date}`;
    case 'week':
      return `${what} per day, ${isoDate(span.from)} to ${isoDate(addDays(span.to, -1))}`;
    case 'month':
      return `${what} per day in ${day.toLocaleDateString(undefined, { month: 'long', year: 'numeric' })}`;
    case 'year':
      return `${what} per month in ${day.getFullYear()}`;
  }
}

const bucketLabel = (bucket: PeriodConsumption['bucket']) => (bucket === 'hour' ? formatHour : bucket === 'day' ? formatDay : formatMonth);

/** One bar of the chart with the series drawn over it: compared periods (by index) and the forecast (by hour). */
export type ChartRow = Bucket & { label: string; previous: number | null; year: number | null; forecast: number | null };

/** The chart's rows: a compared bucket belongs to the bar at its index (null: a gap); a forecast hour to the bar it starts. */
export function chartRows(answer: PeriodConsumption): ChartRow[] {
  const label = bucketLabel(answer.bucket);
  const compared = (kind: CompareKind) => answer.comparisons?.find((comparison) => comparison.kind === kind)?.buckets;
  const previous = compared('previous');
  const year = compared('year');
  const forecast = new Map(answer.forecast?.ready ? answer.forecast.hours.map((hour) => [Date.parse(hour.start), hour.kwh]) : []);
  return answer.buckets.map((bucket, index) => ({
    ...bucket,
    label: label(bucket.start),
    previous: previous?.[index]?.kwh ?? null,
    year: year?.[index]?.kwh ?? null,
    forecast: forecast.get(Date.parse(bucket.start)) ?? null,
  }));
}

const sign = (value: number) => (value > 0 ? '+' : value < 0 ? '−' : '±');

/** The change to a compared period: `+4.100 kWh (+9.1 %) · +€1.02`; the per cent is left out when the compared total was 0. */
export function changeText(comparison: Comparison, currency?: string | null): string {
  const { change_kwh: kwh, change_pct: pct, change_cost: cost } = comparison;
  const percent =
    pct == null ? ' (none used then)' : ` (${sign(pct)}${Math.abs(pct).toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} %)`;
  const money = currency && cost != null ? ` · ${sign(cost)}${formatMoney(Math.abs(cost), currency)}` : '';
  return `${sign(kwh)}${formatKwh(Math.abs(kwh))}${percent}${money}`;
}

/** The total line, each compared period's total and the change to it, and the forecast's state. */
export function PeriodTotals({ answer }: { answer: PeriodConsumption }) {
  const { forecast } = answer;
  return (
    <Stack gap={2}>
      <CostLine buckets={answer.buckets} totals={answer} kwh={answer.kwh_total} />
      {answer.comparisons?.map((comparison) => (
        <Text size="sm" key={comparison.kind} data-testid={`change-${comparison.kind}`}>
          <Text span c="dimmed" size="sm">
            {comparisonLabel(comparison.kind, answer.period)}:{' '}
          </Text>
          {costLineText(comparison.kwh_total, { currency: answer.currency, cost_total: comparison.cost_total })}
          {' — change '}
          <Text span fw={600} size="sm" c={comparison.change_kwh > 0 ? 'red.7' : comparison.change_kwh < 0 ? 'teal.7' : undefined}>
            {changeText(comparison, answer.currency)}
          </Text>
        </Text>
      ))}
      {forecast && (
        <Text size="sm" c="dimmed" data-testid="forecast-note">
          {forecast.ready
            ? `Forecast for the day: ${formatKwh(forecast.kwh_total ?? forecast.hours.reduce((sum, hour) => sum + hour.kwh, 0))} (dashed line)`
            : `Forecast: learning (${forecast.weeks_of_history} of ${forecast.min_weeks} weeks of history)`}
        </Text>
      )}
    </Stack>
  );
}

/**
 * A period's bars with the compared periods as lines over them, the day's forecast as a dashed line, and
 * on a device's day its hourly limit (hours over it are red). The numbers are also in a screen-reader table.
 */
export function PeriodChart({ answer, limit }: { answer: PeriodConsumption; limit?: number }) {
  const rows = chartRows(answer);
  const caption = periodCaption(answer);
  const hourly = answer.bucket === 'hour';
  const shownLimit = hourly ? (answer.max_hourly_kwh ?? limit) : undefined;
  const compared = (answer.comparisons ?? []).map((comparison) => ({ kind: comparison.kind, name: comparisonLabel(comparison.kind, answer.period) }));
  const forecast = Boolean(answer.forecast?.ready && rows.some((row) => row.forecast != null));
  const peak = Math.max(
    shownLimit ?? 0,
    ...rows.flatMap((row) => [row.kwh, row.previous ?? 0, row.year ?? 0, row.forecast ?? 0]),
  );
  const extra: ExtraColumn[] = [
    ...compared.map(({ kind, name }) => ({ name, values: rows.map((row) => row[kind]) })),
    ...(forecast ? [{ name: 'Forecast', values: rows.map((row) => row.forecast) }] : []),
  ];
  const summary =
    answer.period === 'day'
      ? `Hourly consumption on ${answer.date}: ${formatKwh(answer.kwh_total)} in total`
      : `${caption}: ${formatKwh(answer.kwh_total)} in total`;
  const limitText = shownLimit != null ? `, limit ${formatKwh(shownLimit)} per hour` : '';
  const comparedText = (answer.comparisons ?? [])
    .map((comparison) => `; ${comparisonLabel(comparison.kind, answer.period).toLowerCase()} ${formatKwh(comparison.kwh_total)}`)
    .join('');

  return (
    <figure style={{ margin: 0 }} data-testid={hourly ? 'day-chart' : 'range-chart'}>
      <PeriodTotals answer={answer} />
      <div role="img" aria-label={`${summary}${limitText}${comparedText}`}>
        <ResponsiveContainer width="100%" height={280}>
          <ComposedChart data={rows} margin={{ top: 16, right: 8, left: 0, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" interval="preserveStartEnd" minTickGap={hourly ? 12 : 8} fontSize={12} />
            <YAxis fontSize={12} width={48} domain={[0, Math.ceil(peak * 1.15 * 100) / 100 || 1]} />
            <Tooltip
              content={(props) => (
                <BucketTooltip
                  {...props}
                  currency={answer.currency}
                  title={(row) => (hourly ? `Hour from ${row.label}` : row.label)}
                  extra={(bucket) => {
                    const row = bucket as ChartRow;
                    return (
                      <>
                        {compared.map(({ kind, name }) => (
                          <Text size="sm" c="dimmed" key={kind}>
                            {name}: {row[kind] == null ? '—' : formatKwh(row[kind])}
                          </Text>
                        ))}
                        {forecast && row.forecast != null && (
                          <Text size="sm" c="dimmed">
                            Forecast: {formatKwh(row.forecast)}
                          </Text>
                        )}
                      </>
                    );
                  }}
                />
              )}
            />
            {(compared.length > 0 || forecast) && <Legend wrapperStyle={{ fontSize: 12 }} />}
            <Bar dataKey="kwh" name="Consumption" fill={COLORS.kwh} isAnimationActive={false}>
              {shownLimit != null && rows.map((row) => <Cell key={row.start} fill={row.kwh > shownLimit ? COLORS.over : COLORS.kwh} />)}
            </Bar>
            {compared.map(({ kind, name }) => (
              <Line
                key={kind}
                dataKey={kind}
                name={name}
                type="linear"
                stroke={COLORS[kind]}
                strokeWidth={2}
                dot={{ r: 2 }}
                connectNulls={false}
                isAnimationActive={false}
              />
            ))}
            {forecast && (
              <Line
                dataKey="forecast"
                name="Forecast"
                type="linear"
                stroke={COLORS.forecast}
                strokeWidth={2}
                strokeDasharray="6 4"
                dot={false}
                connectNulls={false}
                isAnimationActive={false}
              />
            )}
            {shownLimit != null && (
              <ReferenceLine y={shownLimit} stroke={COLORS.limit} strokeDasharray="6 4" label={{ value: 'Limit', position: 'insideTopRight', fontSize: 12 }} />
            )}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <BucketTable caption={caption} buckets={answer.buckets} label={bucketLabel(answer.bucket)} currency={answer.currency} extra={extra} />
    </figure>
  );
}

/** A chart query's states: loading, error with retry, nothing in the period, or the chart (with a note when all is zero). */
export function PeriodChartView({ query, limit }: { query: UseQueryResult<PeriodConsumption>; limit?: number }) {
  if (query.isPending) return <LoadingState label="Loading the chart…" />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
  const answer = query.data;
  if (answer.buckets.length === 0) return <EmptyState title="No consumption in this period" />;
  return (
    <>
      <PeriodChart answer={answer} limit={limit} />
      {answer.buckets.every((bucket) => bucket.kwh === 0) && (
        <Text c="dimmed" size="sm" ta="center">
          {answer.period === 'day' ? 'No consumption recorded on this day yet.' : 'No consumption recorded in this period yet.'}
        </Text>
      )}
    </>
  );
}
