import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { addDays, browserTimeZone, isoDate } from '@/lib/time';
import { client, device, hourBuckets, periodAnswer, signIn } from '@/testing/data';
import { fakeServer, json, type SeenRequest } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { useLiveConsumption } from '../hooks/use-live-consumption';
import { ConsumptionPanel } from './consumption-panel';
import { CurrentConsumption } from './current-consumption';

const base = `/api/consumption/${device.id}`;
const hours = hourBuckets;
const period = (request: SeenRequest, values = [0.5, 2.25]) =>
  json(periodAnswer({ date: request.query.get('date'), tz: request.query.get('tz'), period: request.query.get('period'), buckets: hours(values) }));

function LivePanel() {
  useLiveConsumption();
  return <ConsumptionPanel deviceId={device.id} deviceName={device.name} />;
}

describe('ConsumptionPanel', () => {
  it("asks for today's hours with the forecast in the browser's zone, draws the device's limit and lists the hours", async () => {
    signIn(client);
    const server = fakeServer({ [`GET ${base}/period`]: (request) => period(request) });
    renderWithApp(<ConsumptionPanel deviceId={device.id} deviceName={device.name} maxHourlyKwh={1.5} />);
    const table = await screen.findByRole('table', { name: /Consumption per hour/ });
    expect(within(table).getByText('2.250 kWh')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /2\.750 kWh in total, limit 1\.500 kWh/ })).toBeInTheDocument();
    const [request] = server.calls(`GET ${base}/period`);
    expect(request.query.get('period')).toBe('day');
    expect(request.query.get('date')).toBe(isoDate(new Date()));
    expect(request.query.get('tz')).toBe(browserTimeZone());
    expect(request.query.get('forecast')).toBe('true');
    expect(request.query.has('compare')).toBe(false);
  });

  it('asks for the forecast for tomorrow too, not for yesterday or longer periods', async () => {
    signIn(client);
    const server = fakeServer({ [`GET ${base}/period`]: (request) => period(request) });
    renderWithApp(<ConsumptionPanel deviceId={device.id} deviceName={device.name} />);
    await screen.findByRole('table', { name: /Consumption per hour/ });
    const last = () => server.calls(`GET ${base}/period`).at(-1)!.query;
    await userEvent.click(screen.getByRole('button', { name: 'Next period' }));
    await waitFor(() => expect(last().get('date')).toBe(isoDate(addDays(new Date(), 1))));
    expect(last().get('forecast')).toBe('true');
    await userEvent.click(screen.getByRole('button', { name: 'Previous period' }));
    await userEvent.click(screen.getByRole('button', { name: 'Previous period' }));
    await waitFor(() => expect(last().get('date')).toBe(isoDate(addDays(new Date(), -1))));
    expect(last().has('forecast')).toBe(false);
    await userEvent.click(screen.getByText('Week'));
    await waitFor(() => expect(last().get('period')).toBe('week'));
    expect(last().has('forecast')).toBe(false);
  });

  it('moves by day with the arrows and switches to a month and a year', async () => {
    signIn(client);
    const server = fakeServer({
      [`GET ${base}/period`]: (request) =>
        request.query.get('period') === 'day'
          ? period(request, [0, 0])
          : json(periodAnswer({ period: request.query.get('period'), date: request.query.get('date'), bucket: request.query.get('period') === 'year' ? 'month' : 'day', buckets: hours([10, 12]) })),
    });
    renderWithApp(<ConsumptionPanel deviceId={device.id} deviceName={device.name} />);
    await screen.findByText('No consumption recorded on this day yet.');
    await userEvent.click(screen.getByRole('button', { name: 'Previous period' }));
    const yesterday = new Date();
    yesterday.setDate(yesterday.getDate() - 1);
    await waitFor(() => expect(server.calls(`GET ${base}/period`).at(-1)!.query.get('date')).toBe(isoDate(yesterday)));

    await userEvent.click(screen.getByText('Month'));
    await screen.findByRole('table', { name: /Consumption per day in/ });
    expect(server.calls(`GET ${base}/period`).at(-1)!.query.get('period')).toBe('month');
    await userEvent.click(screen.getByText('Year'));
    await screen.findByRole('table', { name: /Consumption per month in/ });
    expect(server.calls(`GET ${base}/period`).at(-1)!.query.get('period')).toBe('year');
  });

  it('compares with the previous period, a year earlier or both, and shows the change next to the total', async () => {
    signIn(client);
    const server = fakeServer({
      [`GET ${base}/period`]: (request) => {
        const kinds = request.query.get('compare')?.split(',') ?? [];
        const comparisons = kinds.map((kind) => ({
          kind,
          from: 'x',
          to: 'y',
          kwh_total: kind === 'previous' ? 2.5 : 5.5,
          change_kwh: kind === 'previous' ? 0.25 : -2.75,
          change_pct: kind === 'previous' ? 10 : -50,
          buckets: kind === 'previous' ? hours([1, 1.5]) : [{ start: null, kwh: null }, ...hours([5.5])],
        }));
        return json(periodAnswer({ buckets: hours([0.5, 2.25]), comparisons }));
      },
    });
    renderWithApp(<ConsumptionPanel deviceId={device.id} deviceName={device.name} />);
    await screen.findByRole('table', { name: /Consumption per hour/ });
    const compare = screen.getByRole('radiogroup', { name: 'Compare with' });
    await userEvent.click(within(compare).getByText('Previous period'));
    expect(await screen.findByTestId('change-previous')).toHaveTextContent('Previous day: 2.500 kWh — change +0.250 kWh (+10.0 %)');
    expect(server.calls(`GET ${base}/period`).at(-1)!.query.get('compare')).toBe('previous');
    expect(screen.getByRole('columnheader', { name: 'Previous day' })).toBeInTheDocument();

    await userEvent.click(within(compare).getByText('Both'));
    expect(await screen.findByTestId('change-year')).toHaveTextContent('A year earlier: 5.500 kWh — change −2.750 kWh (−50.0 %)');
    expect(server.calls(`GET ${base}/period`).at(-1)!.query.get('compare')).toBe('previous,year');
    const table = screen.getByRole('table', { name: /Consumption per hour/ });
    const [first] = within(table).getAllByRole('row').slice(1);
    // The year-earlier day has no match for the first hour: a gap.
    expect(within(first).getAllByRole('cell').map((cell) => cell.textContent).slice(1)).toEqual(['0.500 kWh', '1.000 kWh', '—']);

    await userEvent.click(within(compare).getByText('A year earlier'));
    await waitFor(() => expect(server.calls(`GET ${base}/period`).at(-1)!.query.get('compare')).toBe('year'));
    await userEvent.click(within(compare).getByText('None'));
    await waitFor(() => expect(screen.queryByTestId('change-year')).not.toBeInTheDocument());
    expect(screen.queryByTestId('change-previous')).not.toBeInTheDocument();
  });

  it("refetches the open chart when the device's consumption frame arrives", async () => {
    signIn(client);
    let kwh = 0.5;
    const server = fakeServer({ [`GET ${base}/period`]: (request) => period(request, [kwh]) });
    const { socket } = renderWithApp(<LivePanel />);
    await screen.findByRole('img', { name: /0\.500 kWh in total/ });
    await waitFor(() => expect(socket.live.status).toBe('online'));
    kwh = 1.25;
    act(() => socket.latest().push({ type: 'consumption', device_id: device.id, hour_start: new Date().toISOString(), kwh: 1.25 }));
    expect(await screen.findByRole('img', { name: /1\.250 kWh in total/ })).toBeInTheDocument();
    expect(server.calls(`GET ${base}/period`).length).toBeGreaterThan(1);
  });

  it('downloads the CSV of the period shown through the API client', async () => {
    signIn(client, 'tok');
    const server = fakeServer({
      [`GET ${base}/period`]: (request) => period(request, [1]),
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
    const today = new Date();
    expect(request.query.get('from')).toBe(new Date(today.getFullYear(), today.getMonth(), today.getDate()).toISOString());
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
