import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
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
