import { MantineProvider } from '@mantine/core';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CostLine, costLineText } from './cost-line';
import { PeriodChart } from './period-chart';

const hours = [
  { start: '2026-12-05T10:00:00Z', kwh: 10.24, cost: 2.5, price_per_kwh: 0.2441, unpriced_kwh: 0 },
  { start: '2026-12-05T11:00:00Z', kwh: 2.1, cost: null, price_per_kwh: null, unpriced_kwh: 2.1 },
];

const renderLine = (ui: React.ReactElement) => render(<MantineProvider env="test">{ui}</MantineProvider>);

describe('the cost line', () => {
  it('shows kWh, cost and the standing charge, and flags unpriced energy', () => {
    renderLine(<CostLine buckets={hours} totals={{ currency: 'EUR', cost_total: 3.12, standing_charge: 0.35 }} />);
    const line = screen.getByTestId('cost-line');
    expect(line).toHaveTextContent(/12\.340 kWh · €3\.12 \(standing charge €0\.35\)/);
    expect(within(line).getByTestId('unpriced')).toHaveTextContent('2.100 kWh without a price');
  });

  it('shows kWh only when no tariff is assigned (currency null), and nothing about prices', () => {
    renderLine(<CostLine buckets={hours} totals={{ currency: null, cost_total: null, standing_charge: null }} />);
    expect(screen.getByTestId('cost-line')).toHaveTextContent(/^12\.340 kWh$/);
    expect(screen.queryByTestId('unpriced')).not.toBeInTheDocument();
  });

  it('leaves out a zero standing charge and says when nothing is priced yet', () => {
    expect(costLineText(1, { currency: 'EUR', cost_total: 0.25, standing_charge: 0 })).toMatch(/1\.000 kWh · €0\.25$/);
    expect(costLineText(1, { currency: 'EUR', cost_total: null })).toMatch(/1\.000 kWh · no cost yet$/);
  });

  it("puts the cost line above the day chart and the cost in its screen-reader table; an old answer without cost still renders", () => {
    renderLine(
      <PeriodChart
        answer={{
          scope: 'device',
          period: 'day',
          date: '2026-12-05',
          tz: 'UTC',
          bucket: 'hour',
          from: '2026-12-05T00:00:00Z',
          to: '2026-12-06T00:00:00Z',
          buckets: hours,
          kwh_total: 12.34,
          currency: 'EUR',
          cost_total: 2.5,
          standing_charge: 0.35,
        }}
        limit={5}
      />,
    );
    expect(screen.getByTestId('cost-line')).toHaveTextContent('€2.50 (standing charge €0.35)');
    const table = screen.getByRole('table', { name: 'Consumption per hour on 2026-12-05' });
    expect(within(table).getByRole('columnheader', { name: 'Cost' })).toBeInTheDocument();
    expect(within(table).getByText('€2.50')).toBeInTheDocument();
    expect(within(table).getByText('no price')).toBeInTheDocument();
  });
});
