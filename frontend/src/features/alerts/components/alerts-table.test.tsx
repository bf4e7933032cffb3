import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { formatHour } from '@/lib/time';
import { client, device, signIn } from '@/testing/data';
import { fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { useAlertToasts } from '../hooks/use-alert-toasts';
import { AlertsTable } from './alerts-table';

const alert = {
  id: 'a1',
  device_id: device.id,
  hour_start: '2026-03-01T10:00:00Z',
  kwh: 2.5,
  max_hourly_kwh: 1.5,
  created_at: '2026-03-01T10:40:00Z',
  acknowledged_at: null,
};

// A heater left on all night: 8 hours from 22:00 UTC, 8 kWh where 0.16 kWh is usual.
const unusual = {
  id: 'u1',
  device_id: device.id,
  kind: 'unusual',
  direction: 'high',
  hour_start: '2026-12-04T22:00:00Z',
  hour_end: '2026-12-05T06:00:00Z',
  hours: 8,
  kwh: 8,
  expected_kwh: 0.16,
  max_hourly_kwh: 2,
  created_at: '2026-12-05T06:10:00Z',
  acknowledged_at: null,
};
const span = `(${formatHour(unusual.hour_start)}–${formatHour(unusual.hour_end)})`;

function WithToasts() {
  useAlertToasts((id) => (id === device.id ? device.name : undefined));
  return <AlertsTable />;
}

describe('AlertsTable', () => {
  it('lists open alerts and acknowledges one', async () => {
    signIn(client);
    let acked = false;
    const server = fakeServer({
      'GET /api/alerts': () => json({ items: acked ? [] : [alert], total: acked ? 0 : 1, page: 1, per_page: 20 }),
      'POST /api/alerts/a1/ack': () => {
        acked = true;
        return json({ ...alert, acknowledged_at: '2026-03-01T11:00:00Z' });
      },
    });
    renderWithApp(<AlertsTable />);
    expect(await screen.findByText('2.500 kWh')).toBeInTheDocument();
    expect(server.calls('GET /api/alerts')[0].query.get('acknowledged')).toBe('false');
    await userEvent.click(screen.getByRole('button', { name: /Acknowledge alert/ }));
    expect(await screen.findByText('Everything is acknowledged.')).toBeInTheDocument();
    expect(server.calls('POST /api/alerts/a1/ack')).toHaveLength(1);
  });

  it('pops a toast and refreshes the list when an alert frame arrives', async () => {
    signIn(client);
    let items: unknown[] = [];
    const server = fakeServer({ 'GET /api/alerts': () => json({ items, total: items.length, page: 1, per_page: 20 }) });
    const { socket } = renderWithApp(<WithToasts />);
    await screen.findByText('No alerts');
    await waitFor(() => expect(socket.live.status).toBe('online'));
    items = [alert];
    act(() => socket.latest().push({ type: 'alert', alert }));
    expect(await screen.findByText('Hourly limit exceeded')).toBeInTheDocument();
    expect(screen.getByText(/Kitchen meter used 2\.500 kWh/)).toBeInTheDocument();
    await waitFor(() => expect(server.calls('GET /api/alerts').length).toBeGreaterThan(1));
    expect(await screen.findByRole('button', { name: /Acknowledge alert/ })).toBeInTheDocument();
  });

  it('marks unusual alerts with a badge and says what was unusual, above or below the usual', async () => {
    signIn(client);
    const quiet = { ...unusual, id: 'u2', direction: 'low', kwh: 0, expected_kwh: 2.4, hours: 4, hour_end: '2026-12-05T02:00:00Z' };
    fakeServer({ 'GET /api/alerts': () => json({ items: [unusual, { ...alert, kind: 'limit', hours: 1 }, quiet], total: 3, page: 1, per_page: 20 }) });
    renderWithApp(<AlertsTable />);
    const [high, low] = await screen.findAllByTestId('unusual-explanation');
    expect(high).toHaveTextContent(`Used 8.00 kWh over 8 h ${span} where 0.16 kWh is usual`);
    expect(low).toHaveTextContent(
      `Used less than usual: 0.00 kWh over 4 h (${formatHour(quiet.hour_start)}–${formatHour(quiet.hour_end)}) where 2.40 kWh is usual`,
    );
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(within(rows[0]).getByText('Unusual')).toBeInTheDocument();
    // A limit alert (also one from before kinds existed) has no badge and keeps its limit.
    expect(within(rows[1]).queryByText('Unusual')).not.toBeInTheDocument();
    expect(within(rows[1]).getByText('1.500 kWh')).toBeInTheDocument();
  });

  it('filters by kind', async () => {
    signIn(client);
    const server = fakeServer({
      'GET /api/alerts': (request) =>
        json({ items: request.query.get('kind') === 'unusual' ? [unusual] : [alert, unusual], total: 2, page: 1, per_page: 20 }),
    });
    renderWithApp(<AlertsTable />);
    await screen.findByText('2.500 kWh');
    expect(server.calls('GET /api/alerts')[0].query.has('kind')).toBe(false);
    const kinds = screen.getByRole('radiogroup', { name: 'Kind of alert' });
    await userEvent.click(within(kinds).getByText('Unusual'));
    await waitFor(() => expect(screen.queryByText('2.500 kWh')).not.toBeInTheDocument());
    expect(server.calls('GET /api/alerts').at(-1)!.query.get('kind')).toBe('unusual');
    await userEvent.click(within(kinds).getByText('Limit'));
    await waitFor(() => expect(server.calls('GET /api/alerts').at(-1)!.query.get('kind')).toBe('limit'));
    await userEvent.click(within(kinds).getByText('All kinds'));
    await waitFor(() => expect(server.calls('GET /api/alerts').at(-1)!.query.has('kind')).toBe(false));
  });

  it('pops an unusual toast with its badge and explanation, apart from the limit toast', async () => {
    signIn(client);
    fakeServer({ 'GET /api/alerts': () => json({ items: [], total: 0, page: 1, per_page: 20 }) });
    const { socket } = renderWithApp(<WithToasts />);
    await screen.findByText('No alerts');
    await waitFor(() => expect(socket.live.status).toBe('online'));
    act(() => {
      socket.latest().push({ type: 'alert', alert: { ...alert, kind: 'limit' } });
      socket.latest().push({ type: 'alert', alert: unusual });
    });
    expect(await screen.findByText('Unusual consumption')).toBeInTheDocument();
    expect(screen.getByText(`Kitchen meter: Used 8.00 kWh over 8 h ${span} where 0.16 kWh is usual.`)).toBeInTheDocument();
    expect(screen.getByText('Hourly limit exceeded')).toBeInTheDocument();
    expect(screen.getByText(/Kitchen meter used 2\.500 kWh/)).toBeInTheDocument();
    // The run grows: the same toast shows the newer figures.
    act(() => socket.latest().push({ type: 'alert', alert: { ...unusual, hours: 9, kwh: 9, hour_end: '2026-12-05T07:00:00Z', expected_kwh: 0.18 } }));
    expect(await screen.findByText(/Used 9\.00 kWh over 9 h/)).toBeInTheDocument();
    expect(screen.getAllByText('Unusual consumption')).toHaveLength(1);
  });

  it('folds a burst of alerts of one device into one toast that counts them', async () => {
    signIn(client);
    fakeServer({ 'GET /api/alerts': () => json({ items: [], total: 0, page: 1, per_page: 20 }) });
    const { socket } = renderWithApp(<WithToasts />);
    await screen.findByText('No alerts');
    await waitFor(() => expect(socket.live.status).toBe('online'));
    act(() => {
      socket.latest().push({ type: 'alert', alert });
      socket.latest().push({ type: 'alert', alert: { ...alert, id: 'a2', hour_start: '2026-03-01T11:00:00Z', kwh: 3 } });
      socket.latest().push({ type: 'alert', alert: { ...alert, id: 'a3', hour_start: '2026-03-01T12:00:00Z', kwh: 4 } });
    });
    expect(await screen.findByText(/Kitchen meter: 3 hours over the limit; latest 4\.000 kWh/)).toBeInTheDocument();
    expect(screen.getAllByText('Hourly limit exceeded')).toHaveLength(1);
  });
});
