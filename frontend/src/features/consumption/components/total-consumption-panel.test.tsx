import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { browserTimeZone, isoDate } from '@/lib/time';
import { admin, client, hourBuckets, periodAnswer, signIn } from '@/testing/data';
import { fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { TotalConsumptionPanel } from './total-consumption-panel';

const total = (overrides: Record<string, unknown> = {}) =>
  json(
    periodAnswer({
      scope: 'client',
      device_id: undefined,
      client_id: client.id,
      devices: 3,
      buckets: hourBuckets([1, 2.5]).map((bucket) => ({ ...bucket, cost: bucket.kwh / 4 })),
      currency: 'EUR',
      cost_total: 0.88,
      ...overrides,
    }),
  );

describe('TotalConsumptionPanel', () => {
  it("asks for all of the client's devices today with cost and the forecast, in the browser's zone", async () => {
    signIn(client);
    const server = fakeServer({ 'GET /api/consumption/total': () => total() });
    renderWithApp(<TotalConsumptionPanel />);
    const section = await screen.findByRole('region', { name: 'Consumption of all devices' });
    expect(await within(section).findByTestId('cost-line')).toHaveTextContent('3.500 kWh · €0.88');
    expect(section).toHaveTextContent('3 devices together');
    const table = within(section).getByRole('table', { name: /^All devices: consumption per hour on / });
    expect(within(table).getByText('€0.63')).toBeInTheDocument();
    const [request] = server.calls('GET /api/consumption/total');
    expect(Object.fromEntries(request.query)).toEqual({
      period: 'day',
      date: isoDate(new Date()),
      tz: browserTimeZone(),
      forecast: 'true',
      cost: 'true',
    });
  });

  it('switches period and comparison, and shows the change in kWh, per cent and money', async () => {
    signIn(client);
    const server = fakeServer({
      'GET /api/consumption/total': (request) =>
        request.query.get('period') === 'month'
          ? total({
              period: 'month',
              bucket: 'day',
              comparisons: [
                {
                  kind: 'year',
                  from: 'a',
                  to: 'b',
                  kwh_total: 7,
                  cost_total: 1.75,
                  change_kwh: -3.5,
                  change_pct: -50,
                  change_cost: -0.87,
                  buckets: hourBuckets([3, 4]).map((bucket) => ({ ...bucket, cost: null })),
                },
              ],
            })
          : total(),
    });
    renderWithApp(<TotalConsumptionPanel />);
    await screen.findByTestId('cost-line');
    await userEvent.click(screen.getByText('Month'));
    await userEvent.click(within(screen.getByRole('radiogroup', { name: 'Compare with' })).getByText('A year earlier'));
    expect(await screen.findByTestId('change-year')).toHaveTextContent('A year earlier: 7.000 kWh · €1.75 — change −3.500 kWh (−50.0 %) · −€0.87');
    const request = server.calls('GET /api/consumption/total').at(-1)!.query;
    expect(request.get('period')).toBe('month');
    expect(request.get('compare')).toBe('year');
    expect(request.has('forecast')).toBe(false);
    expect(screen.getByRole('table', { name: /^All devices: consumption per day in / })).toBeInTheDocument();
  });

  it("asks for the named client's devices for an admin", async () => {
    signIn(admin);
    const server = fakeServer({ 'GET /api/consumption/total': () => total() });
    renderWithApp(<TotalConsumptionPanel clientId={client.id} />);
    await screen.findByTestId('cost-line');
    await waitFor(() => expect(server.calls('GET /api/consumption/total')[0].query.get('client_id')).toBe(client.id));
  });

  it('shows the forecast as still learning on a new account', async () => {
    signIn(client);
    fakeServer({
      'GET /api/consumption/total': () => total({ forecast: { ready: false, weeks_of_history: 2, min_weeks: 3, hours: [], kwh_total: null } }),
    });
    renderWithApp(<TotalConsumptionPanel />);
    expect(await screen.findByText('Forecast: learning (2 of 3 weeks of history)')).toBeInTheDocument();
  });
});
