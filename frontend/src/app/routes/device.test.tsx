import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';
import { admin, client, device, periodAnswer, signIn } from '@/testing/data';
import { fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { DeviceRoute } from './device';

const credential = { key_id: 'k_old42', created_at: '2026-03-01T09:00:00Z' };

// The charts, the current hour and the tariff panels answer from routes these tests do not need;
// unrouted requests only put those panels in their error state.
function renderDevicePage() {
  fakeServer({
    [`GET /api/devices/${device.id}`]: () =>
      json({ ...device, meter_format: 'tasmota', time_zone: 'Europe/Bucharest', last_reported_at: null, last_reported_via: null, credential }),
    [`GET /api/devices/${device.id}/events`]: () => json({ items: [], total: 0, page: 1, per_page: 10 }),
  });
  renderWithApp(
    <Routes>
      <Route path="/devices/:deviceId" element={<DeviceRoute />} />
    </Routes>,
    { path: `/devices/${device.id}` },
  );
}

describe('DeviceRoute: charts and usual pattern', () => {
  it("asks for the device's period chart with its limit, and shows its usual pattern", async () => {
    signIn(client);
    const server = fakeServer({
      [`GET /api/devices/${device.id}`]: () => json({ ...device, max_hourly_kwh: 2 }),
      [`GET /api/devices/${device.id}/events`]: () => json({ items: [], total: 0, page: 1, per_page: 10 }),
      [`GET /api/consumption/${device.id}/period`]: () => json(periodAnswer()),
      [`GET /api/consumption/${device.id}/insight`]: () =>
        json({ device_id: device.id, tz: 'UTC', ready: false, weeks_of_history: 1, min_weeks: 3, weeks: 6, sensitivity: 3, sustain_hours: 3, slots: [], tomorrow: null }),
    });
    renderWithApp(
      <Routes>
        <Route path="/devices/:deviceId" element={<DeviceRoute />} />
      </Routes>,
      { path: `/devices/${device.id}` },
    );
    expect(await screen.findByRole('img', { name: /2\.750 kWh in total, limit 2\.000 kWh per hour/ })).toBeInTheDocument();
    expect(await screen.findByText(/Too little history for unusual-consumption alerts: 1 of 3 weeks/)).toBeInTheDocument();
    expect(server.calls(`GET /api/consumption/${device.id}/day`)).toHaveLength(0);
  });
});

describe('DeviceRoute: meter connection', () => {
  it('shows a client when the meter last reported, without credential or format controls', async () => {
    signIn(client);
    renderDevicePage();
    const section = await screen.findByRole('region', { name: 'Meter connection' });
    expect(section).toHaveTextContent('Last reported: never');
    expect(screen.queryByRole('region', { name: 'Device credential' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Issue credential|Rotate credential|Revoke/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Meter format and time zone' })).not.toBeInTheDocument();
    expect(screen.queryByText(credential.key_id)).not.toBeInTheDocument();
  });

  it('gives an admin the format, time zone and credential controls', async () => {
    signIn(admin);
    renderDevicePage();
    expect(await screen.findByRole('region', { name: 'Device credential' })).toHaveTextContent(`Key id ${credential.key_id}`);
    expect(screen.getByRole('button', { name: 'Rotate credential' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Revoke' })).toBeInTheDocument();
    expect(screen.getByLabelText('Meter format')).toHaveValue('tasmota');
    expect(screen.getByRole('combobox', { name: /Time zone/ })).toHaveValue('Europe/Bucharest');
  });
});
