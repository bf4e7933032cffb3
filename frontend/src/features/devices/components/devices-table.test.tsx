import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { admin, client, device, signIn } from '@/testing/data';
import { apiError, fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { DevicesTable } from './devices-table';

const page = (items: unknown[]) => json({ items, total: items.length, page: 1, per_page: 20 });
const unassigned = { ...device, id: 'd2', name: 'Garage meter', owner_id: null };

describe('DevicesTable', () => {
  it('lists devices with owners and filters unassigned ones', async () => {
    signIn(admin);
    const server = fakeServer({
      'GET /api/devices': (request) => (request.query.get('unassigned') === 'true' ? page([unassigned]) : page([device, unassigned])),
      [`GET /api/users/${client.id}`]: () => json(client),
    });
    renderWithApp(<DevicesTable />);
    expect(await screen.findByText('Carla Client (carla)')).toBeInTheDocument();
    expect(screen.getByText('Unassigned')).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Only unassigned'));
    await waitFor(() => expect(screen.queryByText('Kitchen meter')).not.toBeInTheDocument());
    expect(server.calls('GET /api/devices').at(-1)!.query.get('unassigned')).toBe('true');
  });

  it('validates the limit before creating a device', async () => {
    signIn(admin);
    const server = fakeServer({
      'GET /api/devices': () => page([]),
      'POST /api/devices': () => json({ ...device, owner_id: null }, 201),
    });
    renderWithApp(<DevicesTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'New device' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Kitchen meter');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create device' }));
    expect(await within(dialog).findByText('Enter the hourly limit in kWh.')).toBeInTheDocument();
    expect(server.calls('POST /api/devices')).toHaveLength(0);
    await userEvent.type(within(dialog).getByLabelText('Hourly limit (kWh)'), '1.5');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create device' }));
    await waitFor(() => expect(server.calls('POST /api/devices')).toHaveLength(1));
    expect(server.calls('POST /api/devices')[0].body).toEqual({ name: 'Kitchen meter', max_hourly_kwh: 1.5 });
  });

  it('sends the plausible power only when given, and validates it', async () => {
    signIn(admin);
    const server = fakeServer({
      'GET /api/devices': () => page([]),
      'POST /api/devices': () => json({ ...device, owner_id: null, max_power_kw: 11 }, 201),
    });
    renderWithApp(<DevicesTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'New device' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Heat pump');
    await userEvent.type(within(dialog).getByLabelText('Hourly limit (kWh)'), '1.2');
    await userEvent.type(within(dialog).getByLabelText('Plausible maximum power (kW)'), '-3');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create device' }));
    expect(await within(dialog).findByText('The power must be above 0.')).toBeInTheDocument();
    expect(server.calls('POST /api/devices')).toHaveLength(0);
    await userEvent.clear(within(dialog).getByLabelText('Plausible maximum power (kW)'));
    await userEvent.type(within(dialog).getByLabelText('Plausible maximum power (kW)'), '11');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create device' }));
    await waitFor(() => expect(server.calls('POST /api/devices')).toHaveLength(1));
    expect(server.calls('POST /api/devices')[0].body).toEqual({ name: 'Heat pump', max_hourly_kwh: 1.2, max_power_kw: 11 });
  });

  it('edits the unusual-consumption settings: validated ranges, empty for the default, sent only when changed', async () => {
    signIn(admin);
    const tuned = { ...device, unusual_sensitivity: 4.5, unusual_sustain_hours: null };
    const server = fakeServer({
      'GET /api/devices': () => page([tuned]),
      [`GET /api/users/${client.id}`]: () => json(client),
      [`PATCH /api/devices/${device.id}`]: () => json(tuned),
    });
    renderWithApp(<DevicesTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'Actions for Kitchen meter' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog');
    const sensitivity = within(dialog).getByLabelText('Sensitivity (1–10)');
    const sustain = within(dialog).getByLabelText('Hours in a row (1–24)');
    expect(sensitivity).toHaveValue('4.5');
    expect(sustain).toHaveValue('');

    await userEvent.clear(sensitivity);
    await userEvent.type(sensitivity, '11');
    await userEvent.type(sustain, '25');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText('The sensitivity must be from 1 to 10.')).toBeInTheDocument();
    expect(within(dialog).getByText('From 1 to 24 hours.')).toBeInTheDocument();
    expect(server.calls(`PATCH /api/devices/${device.id}`)).toHaveLength(0);

    // Empty sensitivity: back to the default (null); 6 hours in a row.
    await userEvent.clear(sensitivity);
    await userEvent.clear(sustain);
    await userEvent.type(sustain, '6');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.calls(`PATCH /api/devices/${device.id}`)).toHaveLength(1));
    expect(server.calls(`PATCH /api/devices/${device.id}`)[0].body).toMatchObject({ unusual_sensitivity: null, unusual_sustain_hours: 6 });
  });

  it('leaves the unusual-consumption settings out of an edit that does not change them, and offers none on create', async () => {
    signIn(admin);
    const server = fakeServer({
      'GET /api/devices': () => page([device]),
      [`GET /api/users/${client.id}`]: () => json(client),
      [`PATCH /api/devices/${device.id}`]: () => json(device),
    });
    renderWithApp(<DevicesTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'New device' }));
    expect(within(await screen.findByRole('dialog')).queryByLabelText('Sensitivity (1–10)')).not.toBeInTheDocument();
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());

    await userEvent.click(await screen.findByRole('button', { name: 'Actions for Kitchen meter' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Name'), ' 2');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.calls(`PATCH /api/devices/${device.id}`)).toHaveLength(1));
    const body = server.calls(`PATCH /api/devices/${device.id}`)[0].body as Record<string, unknown>;
    expect(body.name).toBe('Kitchen meter 2');
    expect(body).not.toHaveProperty('unusual_sensitivity');
    expect(body).not.toHaveProperty('unusual_sustain_hours');
  });

  it('shows a validation_failed answer under the limit field', async () => {
    signIn(admin);
    fakeServer({
      'GET /api/devices': () => page([]),
      'POST /api/devices': () => apiError(422, 'validation_failed', 'max_hourly_kwh is too large', 'max_hourly_kwh'),
    });
    renderWithApp(<DevicesTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'New device' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Meter');
    await userEvent.type(within(dialog).getByLabelText('Hourly limit (kWh)'), '99');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create device' }));
    expect(await within(dialog).findByText('max_hourly_kwh is too large')).toBeInTheDocument();
  });

  it('assigns an owner found by a server-side search', async () => {
    signIn(admin);
    const server = fakeServer({
      'GET /api/devices': () => page([unassigned]),
      'GET /api/users': (request) => (request.query.get('q') === 'carl' ? page([client]) : page([admin])),
      'PUT /api/devices/d2/owner': () => json({ ...unassigned, owner_id: client.id }),
    });
    renderWithApp(<DevicesTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'Actions for Garage meter' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Assign owner' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByRole('combobox', { name: 'Owner' }), 'carl');
    await userEvent.click(await screen.findByRole('option', { name: 'Carla Client (carla)' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Assign' }));
    await waitFor(() => expect(server.calls('PUT /api/devices/d2/owner')).toHaveLength(1));
    expect(server.calls('PUT /api/devices/d2/owner')[0].body).toEqual({ user_id: client.id });
  });

  it('shows when each device last reported, and over which path', async () => {
    signIn(admin);
    const reported = { ...device, last_reported_at: new Date(Date.now() - 3 * 3_600_000).toISOString(), last_reported_via: 'http' };
    fakeServer({
      'GET /api/devices': () => page([reported, { ...unassigned, last_reported_at: null, last_reported_via: null }]),
      [`GET /api/users/${client.id}`]: () => json(client),
    });
    renderWithApp(<DevicesTable />);
    const table = await screen.findByRole('table', { name: 'Devices' });
    expect(within(table).getByRole('columnheader', { name: 'Last reported' })).toBeInTheDocument();
    const [kitchen, garage] = within(table).getAllByTestId('last-reported');
    expect(kitchen).toHaveTextContent('3 hours ago');
    expect(kitchen).toHaveTextContent('HTTP');
    expect(garage).toHaveTextContent('never');
  });
});
