import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { admin, client, device, signIn } from '@/testing/data';
import { apiError, fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { TariffAssignmentPanel } from './tariff-assignment-panel';
import { TariffsTable } from './tariffs-table';

const flat = {
  id: 't1',
  name: 'Basic',
  kind: 'flat',
  currency: 'EUR',
  tz: 'Europe/Berlin',
  standing_charge_per_day: '0.35',
  price_per_kwh: '0.2534',
  assigned: true,
  created_at: '2026-12-01T10:00:00Z',
  updated_at: '2026-12-01T10:00:00Z',
};
const dynamic = { ...flat, id: 't2', name: 'Spot', kind: 'dynamic', price_per_kwh: undefined, slot_minutes: 15, assigned: false };
const page = (items: unknown[], total = items.length) => json({ items, total, page: 1, per_page: 20 });

describe('TariffsTable', () => {
  it('lists tariffs and pages through them', async () => {
    signIn(admin);
    const server = fakeServer({ 'GET /api/tariffs': () => page([flat, dynamic], 45) });
    renderWithApp(<TariffsTable />);
    const table = await screen.findByRole('table', { name: 'Tariffs' });
    expect(within(table).getByText('0.2534 EUR/kWh')).toBeInTheDocument();
    expect(within(table).getByText('15-minute slots (uploaded)')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: '3' }));
    await waitFor(() => expect(server.calls('GET /api/tariffs').some((r) => r.query.get('page') === '3')).toBe(true));
  });

  it('explains a refused delete (409: the tariff was assigned)', async () => {
    signIn(admin);
    fakeServer({
      'GET /api/tariffs': () => page([flat]),
      'DELETE /api/tariffs/t1': () => apiError(409, 'conflict', 'tariff is assigned'),
    });
    renderWithApp(<TariffsTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'Actions for Basic' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(/has been assigned, so it stays to keep past bills unchanged/);
  });

  it('renames a tariff', async () => {
    signIn(admin);
    const server = fakeServer({ 'GET /api/tariffs': () => page([flat]), 'PATCH /api/tariffs/t1': () => json({ ...flat, name: 'Basic 2026' }) });
    renderWithApp(<TariffsTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'Actions for Basic' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Rename' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.clear(within(dialog).getByLabelText('Name'));
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Basic 2026');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.calls('PATCH /api/tariffs/t1')[0]?.body).toEqual({ name: 'Basic 2026' }));
  });

  it('uploads pasted JSON prices of a dynamic tariff and shows what was stored', async () => {
    signIn(admin);
    const server = fakeServer({ 'GET /api/tariffs': () => page([dynamic]), 'PUT /api/tariffs/t2/prices': () => json({ stored: 96, replaced: 4 }) });
    renderWithApp(<TariffsTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'Actions for Spot' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Upload prices' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByText('Paste JSON'));
    const prices = '[{"start": "2026-12-06T00:00:00Z", "price": "0.21"}]';
    await userEvent.click(within(dialog).getByLabelText('Prices as JSON'));
    await userEvent.paste(prices);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Upload prices' }));
    expect(await within(dialog).findByText('96 slots stored, 4 replaced.')).toBeInTheDocument();
    const [request] = server.calls('PUT /api/tariffs/t2/prices');
    expect(request.headers.get('Content-Type')).toBe('application/json');
    expect(request.body).toEqual([{ start: '2026-12-06T00:00:00Z', price: '0.21' }]);
  });

  it('uploads a CSV file as text/csv', async () => {
    signIn(admin);
    const server = fakeServer({ 'GET /api/tariffs': () => page([dynamic]), 'PUT /api/tariffs/t2/prices': () => json({ stored: 2, replaced: 0 }) });
    renderWithApp(<TariffsTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'Actions for Spot' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Upload prices' }));
    const dialog = await screen.findByRole('dialog');
    const csv = 'start,price\n2026-12-06T00:00:00Z,0.21\n2026-12-06T00:15:00Z,0.22\n';
    const input = dialog.querySelector('input[type="file"]') as HTMLInputElement;
    await userEvent.upload(input, new File([csv], 'prices.csv', { type: 'text/csv' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Upload prices' }));
    expect(await within(dialog).findByText('2 slots stored, 0 replaced.')).toBeInTheDocument();
    const [request] = server.calls('PUT /api/tariffs/t2/prices');
    expect(request.headers.get('Content-Type')).toBe('text/csv');
    expect(request.body).toBe(csv);
  });
});

describe('TariffAssignmentPanel', () => {
  const assignment = {
    id: 'a1',
    client_id: client.id,
    device_id: null,
    tariff_id: 't1',
    tariff_name: 'Basic',
    from: '2026-12-01T00:00:00+01:00',
    created_at: '2026-12-01T09:00:00Z',
  };

  it("shows the client's current tariff and assigns another from local midnight of the picked date", async () => {
    signIn(admin);
    const server = fakeServer({
      'GET /api/tariff-assignments': () => json({ items: [assignment], total: 1, page: 1, per_page: 20, current: assignment }),
      'GET /api/tariffs': () => page([flat, dynamic]),
      'POST /api/tariff-assignments': () => json({ ...assignment, id: 'a2' }, 201),
    });
    renderWithApp(<TariffAssignmentPanel target={{ clientId: client.id }} />);
    expect(await screen.findByTestId('current-tariff')).toHaveTextContent('Now: Basic since');
    expect(server.calls('GET /api/tariff-assignments')[0].query.get('client_id')).toBe(client.id);
    await screen.findByRole('option', { name: 'Spot (EUR)' });
    await userEvent.selectOptions(screen.getByLabelText('Tariff to assign'), 'Spot (EUR)');
    fireEvent.change(screen.getByLabelText('From date'), { target: { value: '2026-12-24' } });
    await userEvent.click(screen.getByRole('button', { name: 'Assign tariff' }));
    await waitFor(() => expect(server.calls('POST /api/tariff-assignments')).toHaveLength(1));
    const body = server.calls('POST /api/tariff-assignments')[0].body as { from: string };
    expect(body).toMatchObject({ client_id: client.id, tariff_id: 't2' });
    expect(new Date(body.from).getTime()).toBe(new Date(2026, 11, 24).getTime());
  });

  it("lets a device go back to the client's tariff (tariff_id null)", async () => {
    signIn(admin);
    const server = fakeServer({
      'GET /api/tariff-assignments': () => json({ items: [], total: 0, page: 1, per_page: 20, current: null }),
      'GET /api/tariffs': () => page([flat]),
      'POST /api/tariff-assignments': () => apiError(409, 'conflict', 'an assignment must not start before the current hour.'),
    });
    renderWithApp(<TariffAssignmentPanel target={{ deviceId: device.id }} title="Device tariff override" />);
    expect(await screen.findByTestId('current-tariff')).toHaveTextContent("Now: the client's tariff (no override)");
    await userEvent.selectOptions(screen.getByLabelText('Tariff to assign'), "Client's tariff (no override)");
    await userEvent.click(screen.getByRole('button', { name: 'Assign tariff' }));
    expect(await screen.findByText(/must not start before the current hour\. The first tariff may start in the past/)).toBeInTheDocument();
    expect(server.calls('POST /api/tariff-assignments')[0].body).toMatchObject({ device_id: device.id, tariff_id: null });
  });
});
