import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { admin, client, device, periodAnswer, signIn } from '@/testing/data';
import { fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { DevicesRoute } from './devices';

function renderHome() {
  const server = fakeServer({
    'GET /api/devices': () => json({ items: [device], total: 1, page: 1, per_page: 100 }),
    'GET /api/consumption/total': () => json(periodAnswer({ scope: 'client', client_id: client.id, devices: 1 })),
  });
  renderWithApp(<DevicesRoute />);
  return server;
}

describe('DevicesRoute (the home page)', () => {
  it("opens a client's home with the chart of all its devices, before anything else", async () => {
    signIn(client);
    const server = renderHome();
    const chart = await screen.findByRole('region', { name: 'Consumption of all devices' });
    const regions = screen.getAllByRole('region');
    expect(regions[0]).toBe(chart);
    expect(await screen.findByRole('img', { name: /2\.750 kWh in total/ })).toBeInTheDocument();
    expect(server.calls('GET /api/consumption/total')).toHaveLength(1);
  });

  it('shows an admin no client-wide chart there', async () => {
    signIn(admin);
    const server = renderHome();
    await screen.findByText(device.name);
    expect(screen.queryByRole('region', { name: 'Consumption of all devices' })).not.toBeInTheDocument();
    expect(server.calls('GET /api/consumption/total')).toHaveLength(0);
  });
});
