import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { browserTimeZone } from '@/lib/time';
import { admin, client, device, signIn } from '@/testing/data';
import { fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { useLiveConsumption } from '../hooks/use-live-consumption';
import { ConsumptionSummaryCard, DeviceCostSummary } from './consumption-summary';
import { CurrentConsumption } from './current-consumption';

const summary = (currency: string | null) => ({
  client_id: client.id,
  tz: 'UTC',
  currency,
  today: { kwh: 12.34, cost: currency ? 3.12 : null },
  month: { kwh: 150.5, cost: currency ? 40.2 : null },
  devices: [{ device_id: device.id, name: device.name, today: { kwh: 2, cost: currency ? 0.5 : null }, month: { kwh: 20, cost: currency ? 5.06 : null } }],
});

describe('ConsumptionSummaryCard', () => {
  it("shows today's and this month's cost for all devices and per device, in the browser's zone", async () => {
    signIn(client);
    const server = fakeServer({ 'GET /api/consumption/summary': () => json(summary('EUR')) });
    renderWithApp(
      <>
        <ConsumptionSummaryCard />
        <DeviceCostSummary deviceId={device.id} />
      </>,
    );
    const today = await screen.findByRole('group', { name: 'Today' });
    expect(today).toHaveTextContent('€3.12');
    expect(today).toHaveTextContent('12.340 kWh');
    expect(screen.getByRole('group', { name: 'This month' })).toHaveTextContent('€40.20');
    expect(await screen.findByTestId('device-summary')).toHaveTextContent('Today 2.000 kWh · €0.50This month 20.000 kWh · €5.06');
    expect(server.calls('GET /api/consumption/summary')).toHaveLength(1);
    expect(server.calls('GET /api/consumption/summary')[0].query.get('tz')).toBe(browserTimeZone());
  });

  it('shows kWh only without a tariff, and asks for the client when an admin looks', async () => {
    signIn(admin);
    const server = fakeServer({ 'GET /api/consumption/summary': () => json(summary(null)) });
    renderWithApp(<ConsumptionSummaryCard clientId={client.id} />);
    expect(await screen.findByRole('group', { name: 'Today' })).toHaveTextContent(/^Today12\.340 kWh$/);
    expect(screen.getByText('No tariff assigned yet: consumption is shown in kWh.')).toBeInTheDocument();
    expect(server.calls('GET /api/consumption/summary')[0].query.get('client_id')).toBe(client.id);
  });
});

function LiveCard() {
  useLiveConsumption();
  return <CurrentConsumption deviceId={device.id} />;
}

describe('the current hour with cost', () => {
  it('shows the cost so far and follows live energy at the same price', async () => {
    signIn(client);
    const hourStart = new Date(Date.UTC(2026, 11, 5, 10)).toISOString();
    fakeServer({
      [`GET /api/consumption/${device.id}/current`]: () =>
        json({ device_id: device.id, hour_start: hourStart, kwh: 0.4, max_hourly_kwh: 1.5, cost: 0.1, price_per_kwh: 0.25, currency: 'EUR' }),
    });
    const { socket } = renderWithApp(<LiveCard />);
    const cost = await screen.findByTestId('current-cost');
    expect(cost).toHaveTextContent('Cost so far: €0.10 at €0.25/kWh');
    await waitFor(() => expect(socket.live.status).toBe('online'));
    act(() => socket.latest().push({ type: 'consumption', device_id: device.id, hour_start: hourStart, kwh: 1 }));
    await waitFor(() => expect(screen.getByTestId('current-cost')).toHaveTextContent('Cost so far: €0.25'));
  });

  it('shows no cost line without a tariff', async () => {
    signIn(client);
    fakeServer({
      [`GET /api/consumption/${device.id}/current`]: () =>
        json({ device_id: device.id, hour_start: '2026-12-05T10:00:00Z', kwh: 0.4, max_hourly_kwh: 1.5, cost: null, price_per_kwh: null, currency: null }),
    });
    renderWithApp(<CurrentConsumption deviceId={device.id} />);
    const card = await screen.findByTestId('current-kwh');
    expect(card).toHaveTextContent('0.400 kWh');
    expect(within(document.body).queryByTestId('current-cost')).not.toBeInTheDocument();
  });
});
