import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { browserTimeZone, isoDate } from '@/lib/time';
import { client, device, signIn } from '@/testing/data';
import { fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { useLiveConsumption } from '../hooks/use-live-consumption';
import { ConsumptionPanel } from './consumption-panel';
import { CurrentConsumption } from './current-consumption';

const base = `/api/consumption/${device.id}`;
const hours = (values: number[]) =>
  values.map((kwh, i) => ({ start: new Date(Date.UTC(2026, 2, 1, i)).toISOString(), kwh }));

describe('ConsumptionPanel', () => {
  it("asks for today's hours in the browser's zone and lists them for screen readers", async () => {
    signIn(client);
    const server = fakeServer({
      [`GET ${base}/day`]: (request) =>
        json({ device_id: device.id, date: request.query.get('date'), tz: request.query.get('tz'), max_hourly_kwh: 1.5, hours: hours([0.5, 2.25]) }),
    });
    renderWithApp(<ConsumptionPanel deviceId={device.id} deviceName={device.name} />);
    const table = await screen.findByRole('table', { name: /Consumption per hour/ });
    expect(within(table).getByText('2.250 kWh')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /2\.750 kWh in total, limit 1\.500 kWh/ })).toBeInTheDocument();
    const [request] = server.calls(`GET ${base}/day`);
    expect(request.query.get('date')).toBe(isoDate(new Date()));
    expect(request.query.get('tz')).toBe(browserTimeZone());
  });

  it('moves by day with the arrows and switches to a month by day', async () => {
    signIn(client);
    const server = fakeServer({
      [`GET ${base}/day`]: () => json({ device_id: device.id, date: 'x', tz: 'UTC', max_hourly_kwh: 1, hours: [] }),
      [`GET ${base}/range`]: () => json({ buckets: hours([10, 12]) }),
    });
    renderWithApp(<ConsumptionPanel deviceId={device.id} deviceName={device.name} />);
    await screen.findByText('No consumption recorded on this day yet.');
    await userEvent.click(screen.getByRole('button', { name: 'Previous period' }));
    const yesterday = new Date();
    yesterday.setDate(yesterday.getDate() - 1);
    await waitFor(() => expect(server.calls(`GET ${base}/day`).at(-1)!.query.get('date')).toBe(isoDate(yesterday)));

    await userEvent.click(screen.getByText('Month'));
    await screen.findByRole('table', { name: /Consumption per day in/ });
    const range = server.calls(`GET ${base}/range`)[0].query;
    expect(range.get('bucket')).toBe('day');
    expect(new Date(range.get('from')!).getDate()).toBe(1);
    expect(Date.parse(range.get('to')!)).toBeGreaterThan(Date.parse(range.get('from')!));
  });

  it('downloads the CSV through the API client', async () => {
    signIn(client, 'tok');
    const server = fakeServer({
      [`GET ${base}/day`]: () => json({ device_id: device.id, date: 'x', tz: 'UTC', max_hourly_kwh: 1, hours: hours([1]) }),
      [`GET ${base}/range.csv`]: () => new Response('hour_start,kwh\n', { headers: { 'Content-Type': 'text/csv' } }),
    });
    const createObjectURL = vi.fn(() => 'blob:x');
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    renderWithApp(<ConsumptionPanel deviceId={device.id} deviceName={device.name} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
    const [request] = server.calls(`GET ${base}/range.csv`);
    expect(request.headers.get('Accept')).toBe('text/csv');
    expect(request.headers.get('Authorization')).toBe('Bearer tok');
  });
});

function LiveCard() {
  useLiveConsumption();
  return <CurrentConsumption deviceId={device.id} />;
}

describe('CurrentConsumption', () => {
  it('updates in place from consumption frames and turns red over the limit', async () => {
    signIn(client);
    const hourStart = new Date(Date.UTC(2026, 2, 1, 10)).toISOString();
    fakeServer({ [`GET ${base}/current`]: () => json({ device_id: device.id, hour_start: hourStart, kwh: 0.4, max_hourly_kwh: 1.5 }) });
    const { socket } = renderWithApp(<LiveCard />);
    expect(await screen.findByTestId('current-kwh')).toHaveTextContent('0.400 kWh / 1.500 kWh');
    await waitFor(() => expect(socket.live.status).toBe('online'));
    act(() => socket.latest().push({ type: 'consumption', device_id: device.id, hour_start: hourStart, kwh: 1.75 }));
    // TanStack Query notifies observers on the next tick.
    await waitFor(() => expect(screen.getByTestId('current-kwh')).toHaveTextContent('1.750 kWh'));
    expect(screen.getByRole('progressbar')).toHaveAccessibleName(/over the limit/);
    // A late update for an earlier hour does not replace the current one.
    act(() => socket.latest().push({ type: 'consumption', device_id: device.id, hour_start: '2026-03-01T09:00:00.000Z', kwh: 9 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.getByTestId('current-kwh')).toHaveTextContent('1.750 kWh');
  });
});
