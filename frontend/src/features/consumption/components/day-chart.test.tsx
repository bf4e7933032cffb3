import { render, screen, within } from '@testing-library/react';
import { MantineProvider } from '@mantine/core';
import { describe, expect, it } from 'vitest';
import { DayChart } from './day-chart';

// 2026-10-25 in Europe/Bucharest has 25 hours (clocks go back); the API sends each one.
const hours = Array.from({ length: 25 }, (_, i) => ({ start: new Date(Date.UTC(2026, 9, 24, 21 + i)).toISOString(), kwh: i === 3 ? 2 : 0.5 }));

describe('DayChart', () => {
  it('shows every hour the API sends, also on a 25-hour day, with the day total and limit', () => {
    render(
      <MantineProvider env="test">
        <DayChart day={{ device_id: 'd', date: '2026-10-25', tz: 'Europe/Bucharest', max_hourly_kwh: 1.5, hours }} />
      </MantineProvider>,
    );
    const table = screen.getByRole('table', { name: 'Consumption per hour on 2026-10-25' });
    expect(within(table).getAllByRole('row')).toHaveLength(26);
    expect(within(table).getByText('2.000 kWh')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /14\.000 kWh in total, limit 1\.500 kWh per hour/ })).toBeInTheDocument();
  });
});
