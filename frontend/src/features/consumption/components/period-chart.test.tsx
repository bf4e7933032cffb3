import { MantineProvider } from '@mantine/core';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { hourBuckets, periodAnswer } from '@/testing/data';
import { PeriodConsumptionSchema, type PeriodConsumption } from '../types';
import { chartRows, PeriodChart } from './period-chart';

const renderChart = (answer: unknown, limit?: number) =>
  render(
    <MantineProvider env="test">
      <PeriodChart answer={PeriodConsumptionSchema.parse(answer)} limit={limit} />
    </MantineProvider>,
  );

// A week by day compared with the week before and the same week a year earlier (whose Sunday has no match).
const week = periodAnswer({
  period: 'week',
  date: '2026-12-05',
  bucket: 'day',
  buckets: [7.25, 7, 7, 7, 7, 7, 6.85].map((kwh, i) => ({ start: new Date(Date.UTC(2026, 10, 30 + i)).toISOString(), kwh, cost: kwh / 4 })),
  kwh_total: 49.1,
  currency: 'EUR',
  cost_total: 12.27,
  comparisons: [
    {
      kind: 'previous',
      from: '2026-11-23T00:00:00Z',
      to: '2026-11-30T00:00:00Z',
      kwh_total: 45,
      cost_total: 11.25,
      change_kwh: 4.1,
      change_pct: 9.11,
      change_cost: 1.02,
      buckets: Array.from({ length: 7 }, (_, i) => ({ start: new Date(Date.UTC(2026, 10, 23 + i)).toISOString(), kwh: 6.5 + i / 10, cost: 1.6 })),
    },
    {
      kind: 'year',
      from: '2025-12-01T00:00:00Z',
      to: '2025-12-08T00:00:00Z',
      kwh_total: 52,
      cost_total: null,
      change_kwh: -2.9,
      change_pct: -5.58,
      change_cost: null,
      buckets: [
        ...Array.from({ length: 6 }, (_, i) => ({ start: new Date(Date.UTC(2025, 11, 1 + i)).toISOString(), kwh: 8.5, cost: null })),
        { start: null, kwh: null, cost: null },
      ],
    },
  ],
});

describe('PeriodChart', () => {
  it('shows every hour the API sends, also on a 25-hour day, with the day total and the limit', () => {
    // 2026-10-25 in Europe/Bucharest has 25 hours (clocks go back).
    const hours = Array.from({ length: 25 }, (_, i) => ({ start: new Date(Date.UTC(2026, 9, 24, 21 + i)).toISOString(), kwh: i === 3 ? 2 : 0.5 }));
    renderChart(periodAnswer({ date: '2026-10-25', tz: 'Europe/Bucharest', buckets: hours }), 1.5);
    const table = screen.getByRole('table', { name: 'Consumption per hour on 2026-10-25' });
    expect(within(table).getAllByRole('row')).toHaveLength(26);
    expect(within(table).getByText('2.000 kWh')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /14\.000 kWh in total, limit 1\.500 kWh per hour/ })).toBeInTheDocument();
    expect(screen.getByTestId('day-chart')).toBeInTheDocument();
  });

  it('matches compared buckets by index, null as a gap', () => {
    const rows = chartRows(PeriodConsumptionSchema.parse(week));
    expect(rows.map((row) => row.previous)).toEqual([6.5, 6.6, 6.7, 6.8, 6.9, 7, 7.1]);
    expect(rows.map((row) => row.year)).toEqual([8.5, 8.5, 8.5, 8.5, 8.5, 8.5, null]);
    expect(rows.every((row) => row.forecast === null)).toBe(true);
  });

  it('puts each compared period and its change next to the totals, and its bars in the table as a series', () => {
    renderChart(week);
    expect(screen.getByTestId('cost-line')).toHaveTextContent('49.100 kWh · €12.27');
    const previous = screen.getByTestId('change-previous');
    expect(previous).toHaveTextContent('Previous week: 45.000 kWh · €11.25 — change +4.100 kWh (+9.1 %) · +€1.02');
    // No cost in the year-earlier week: no change in money either.
    const year = screen.getByTestId('change-year');
    expect(year).toHaveTextContent('A year earlier: 52.000 kWh · no cost yet — change −2.900 kWh (−5.6 %)');
    expect(year).not.toHaveTextContent('€');

    const table = screen.getByRole('table', { name: /^Consumption per day, 2026-11-30 to 2026-12-06$/ });
    const headers = within(table).getAllByRole('columnheader').map((cell) => cell.textContent);
    expect(headers).toEqual(['Time', 'Consumption', 'Cost', 'Previous week', 'A year earlier']);
    const sunday = within(table).getAllByRole('row').at(-1)!;
    expect(within(sunday).getAllByRole('cell').map((cell) => cell.textContent)).toEqual([
      expect.any(String),
      '6.850 kWh',
      '€1.71',
      '7.100 kWh',
      '—',
    ]);
    expect(screen.getByRole('img', { name: /49\.100 kWh in total; previous week 45\.000 kWh; a year earlier 52\.000 kWh/ })).toBeInTheDocument();
    expect(screen.getByTestId('range-chart')).toBeInTheDocument();
  });

  it('says when the compared period used nothing instead of a per cent', () => {
    renderChart(
      periodAnswer({
        comparisons: [
          { kind: 'previous', from: 'a', to: 'b', kwh_total: 0, change_kwh: 2.75, change_pct: null, buckets: [{ start: null, kwh: null }, { start: null, kwh: null }] },
        ],
      }),
    );
    expect(screen.getByTestId('change-previous')).toHaveTextContent('Previous day: 0.000 kWh — change +2.750 kWh (none used then)');
  });

  it("draws the forecast as a series of the day's hours and gives its total", () => {
    const buckets = hourBuckets([0.5, 0, 0]);
    renderChart(
      periodAnswer({
        buckets,
        forecast: { ready: true, weeks_of_history: 6, min_weeks: 3, kwh_total: 0.9, hours: buckets.map((bucket) => ({ start: bucket.start, kwh: 0.3 })) },
      }),
    );
    expect(screen.getByTestId('forecast-note')).toHaveTextContent('Forecast for the day: 0.900 kWh (dashed line)');
    const table = screen.getByRole('table', { name: /Consumption per hour/ });
    expect(within(table).getByRole('columnheader', { name: 'Forecast' })).toBeInTheDocument();
    expect(within(table).getAllByText('0.300 kWh')).toHaveLength(3);
  });

  it('says the forecast is still learning, and draws none, while too little history is stored', () => {
    renderChart(periodAnswer({ forecast: { ready: false, weeks_of_history: 2, min_weeks: 3, hours: [], kwh_total: null } }));
    expect(screen.getByTestId('forecast-note')).toHaveTextContent('Forecast: learning (2 of 3 weeks of history)');
    expect(screen.queryByRole('columnheader', { name: 'Forecast' })).not.toBeInTheDocument();
  });

  it('labels a year by month and a client-wide chart as all devices', () => {
    const months = Array.from({ length: 12 }, (_, i) => ({ start: new Date(2026, i, 1).toISOString(), kwh: 100 + i }));
    const answer: PeriodConsumption = PeriodConsumptionSchema.parse(
      periodAnswer({ scope: 'client', devices: 3, period: 'year', date: '2026-06-15', bucket: 'month', buckets: months }),
    );
    renderChart(answer);
    const table = screen.getByRole('table', { name: 'All devices: consumption per month in 2026' });
    expect(within(table).getAllByRole('row')).toHaveLength(13);
    expect(within(table).getByText(new Date(2026, 0, 1).toLocaleDateString(undefined, { month: 'short' }))).toBeInTheDocument();
  });
});
