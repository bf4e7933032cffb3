import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { client, device, signIn } from '@/testing/data';
import { fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { MeterEvents } from './meter-events';

const path = `GET /api/devices/${device.id}/events`;

describe('MeterEvents', () => {
  it('explains a gap and a reset so every kWh is accounted for', async () => {
    signIn(client);
    fakeServer({
      [path]: () =>
        json({
          items: [
            {
              kind: 'gap',
              from: '2026-11-01T10:00:00Z',
              to: '2026-11-21T10:00:00Z',
              register_before_kwh: 100.5,
              register_after_kwh: 340.5,
              unspread_kwh: 240,
              recorded_at: '2026-11-21T10:00:05Z',
            },
            {
              kind: 'reset',
              from: '2026-10-01T10:00:00Z',
              to: '2026-10-01T10:10:00Z',
              register_before_kwh: 5417.63,
              register_after_kwh: 0.25,
              unspread_kwh: 0,
              recorded_at: '2026-10-01T10:10:02Z',
            },
          ],
          total: 2,
          page: 1,
          per_page: 10,
        }),
    });
    renderWithApp(<MeterEvents deviceId={device.id} />);
    expect(await screen.findByRole('table', { name: 'Meter events' })).toBeInTheDocument();
    expect(screen.getByText(/240\.000 kWh used in between is not in the hourly totals/)).toBeInTheDocument();
    expect(screen.getByText(/a meter reset/)).toBeInTheDocument();
  });

  it('shows nothing for a device without events', async () => {
    signIn(client);
    const server = fakeServer({ [path]: () => json({ items: [], total: 0, page: 1, per_page: 10 }) });
    renderWithApp(<MeterEvents deviceId={device.id} />);
    await waitFor(() => expect(server.calls(path)).toHaveLength(1));
    expect(screen.queryByText('Meter events')).not.toBeInTheDocument();
  });
});
