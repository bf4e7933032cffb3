import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { admin, signIn } from '@/testing/data';
import { apiError, fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { monthsOf, uncoveredMonths } from './tariff-form-schema';
import { TariffForm } from './tariff-form';

const created = {
  id: 't1',
  name: 'Day/night',
  kind: 'time_of_use',
  currency: 'EUR',
  tz: 'Europe/Berlin',
  standing_charge_per_day: '0.35',
  seasons: [],
  assigned: false,
  created_at: '2026-12-05T10:00:00Z',
};

async function fillName(name = 'Day/night') {
  await userEvent.type(screen.getByLabelText('Name'), name);
}

describe('TariffForm', () => {
  it('refuses a price with more than 6 decimals or not a decimal, without calling the API', async () => {
    signIn(admin);
    const server = fakeServer({});
    renderWithApp(<TariffForm onDone={() => undefined} />);
    await fillName('Flat');
    await userEvent.type(screen.getByLabelText('Price per kWh'), '0.2534567');
    await userEvent.click(screen.getByRole('button', { name: 'Create tariff' }));
    expect(await screen.findByText('At most 6 decimals.')).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText('Price per kWh'));
    await userEvent.type(screen.getByLabelText('Price per kWh'), '1e-3');
    await userEvent.click(screen.getByRole('button', { name: 'Create tariff' }));
    expect(await screen.findByText('Enter a decimal number such as 0.2534.')).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText('Currency'));
    await userEvent.type(screen.getByLabelText('Currency'), 'eu');
    await userEvent.click(screen.getByRole('button', { name: 'Create tariff' }));
    expect(await screen.findByText('Three capital letters, such as EUR.')).toBeInTheDocument();
    expect(server.seen).toHaveLength(0);
  });

  it('sends a flat tariff with its price as the exact string typed', async () => {
    signIn(admin);
    const server = fakeServer({ 'POST /api/tariffs': () => json({ ...created, kind: 'flat', price_per_kwh: '0.2534' }, 201) });
    const onDone = vi.fn();
    renderWithApp(<TariffForm onDone={onDone} />);
    await fillName('Flat');
    await userEvent.clear(screen.getByLabelText('Time zone'));
    await userEvent.type(screen.getByLabelText('Time zone'), 'Europe/Berlin');
    await userEvent.type(screen.getByLabelText('Price per kWh'), '0.2534');
    await userEvent.click(screen.getByRole('button', { name: 'Create tariff' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(server.calls('POST /api/tariffs')[0].body).toEqual({
      name: 'Flat',
      kind: 'flat',
      currency: 'EUR',
      tz: 'Europe/Berlin',
      standing_charge_per_day: '0',
      price_per_kwh: '0.2534',
    });
  });

  it('checks period times on quarter hours and in order', async () => {
    signIn(admin);
    const server = fakeServer({});
    renderWithApp(<TariffForm onDone={() => undefined} />);
    await fillName();
    await userEvent.click(screen.getByText('Time of use'));
    const period = screen.getByRole('group', { name: 'Season 1 period 1' });
    await userEvent.clear(within(period).getByLabelText('From'));
    await userEvent.type(within(period).getByLabelText('From'), '07:10');
    await userEvent.type(within(period).getByLabelText('Price per kWh'), '0.32');
    await userEvent.type(screen.getByLabelText('Default price per kWh'), '0.21');
    await userEvent.click(screen.getByRole('button', { name: 'Create tariff' }));
    expect(await within(period).findByText('A time HH:MM on a quarter hour (00, 15, 30, 45), up to 24:00.')).toBeInTheDocument();
    await userEvent.clear(within(period).getByLabelText('From'));
    await userEvent.type(within(period).getByLabelText('From'), '23:00');
    await userEvent.clear(within(period).getByLabelText('To'));
    await userEvent.type(within(period).getByLabelText('To'), '07:00');
    await userEvent.click(screen.getByRole('button', { name: 'Create tariff' }));
    expect(await within(period).findByText('Must be later than the start.')).toBeInTheDocument();
    expect(server.seen).toHaveLength(0);
  });

  it('requires the seasons to cover all 12 months, then sends them as [from, to] with the weekday chips', async () => {
    signIn(admin);
    const server = fakeServer({ 'POST /api/tariffs': () => json(created, 201) });
    const onDone = vi.fn();
    renderWithApp(<TariffForm onDone={onDone} />);
    await fillName();
    await userEvent.click(screen.getByText('Time of use'));
    await userEvent.clear(screen.getByLabelText('Standing charge per day'));
    await userEvent.type(screen.getByLabelText('Standing charge per day'), '0.35');
    await userEvent.selectOptions(screen.getByLabelText('From month'), '4');
    await userEvent.selectOptions(screen.getByLabelText('To month'), '9');
    await userEvent.type(screen.getByLabelText('Default price per kWh'), '0.21');
    const period = screen.getByRole('group', { name: 'Season 1 period 1' });
    await userEvent.type(within(period).getByLabelText('Price per kWh'), '0.32');
    await userEvent.click(within(period).getByRole('checkbox', { name: 'Fri' }));
    await userEvent.click(screen.getByRole('button', { name: 'Create tariff' }));
    expect(await screen.findByText('The seasons must cover all 12 months; Jan, Feb, Mar, Oct, Nov, Dec are in none.')).toBeInTheDocument();
    expect(server.seen).toHaveLength(0);

    await userEvent.click(screen.getByRole('button', { name: 'Add season' }));
    const winter = screen.getByRole('group', { name: 'Season 2' });
    await userEvent.selectOptions(within(winter).getByLabelText('From month'), '10');
    await userEvent.selectOptions(within(winter).getByLabelText('To month'), '3');
    await userEvent.type(within(winter).getByLabelText('Default price per kWh'), '0.25');
    await userEvent.click(within(winter).getByRole('button', { name: 'Remove period 1' }));
    await userEvent.click(screen.getByRole('button', { name: 'Create tariff' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(server.calls('POST /api/tariffs')[0].body).toMatchObject({
      kind: 'time_of_use',
      standing_charge_per_day: '0.35',
      seasons: [
        { months: [4, 9], default_price_per_kwh: '0.21', periods: [{ days: ['mon', 'tue', 'wed', 'thu'], from: '07:00', to: '23:00', price_per_kwh: '0.32' }] },
        { months: [10, 3], default_price_per_kwh: '0.25', periods: [] },
      ],
    });
  });

  it("shows the API's validation error under the field it names", async () => {
    signIn(admin);
    fakeServer({
      'POST /api/tariffs': () => apiError(422, 'validation_failed', 'seasons[0].periods[0].to: must be later than from', 'seasons[0].periods[0].to'),
    });
    renderWithApp(<TariffForm onDone={() => undefined} />);
    await fillName();
    await userEvent.click(screen.getByText('Time of use'));
    await userEvent.type(screen.getByLabelText('Default price per kWh'), '0.21');
    const period = screen.getByRole('group', { name: 'Season 1 period 1' });
    await userEvent.type(within(period).getByLabelText('Price per kWh'), '0.32');
    await userEvent.click(screen.getByRole('button', { name: 'Create tariff' }));
    expect(await within(period).findByText('seasons[0].periods[0].to: must be later than from')).toBeInTheDocument();
  });
});

describe('season months', () => {
  it('wrap over the new year and report the months no season covers', () => {
    expect(monthsOf(11, 2)).toEqual([11, 12, 1, 2]);
    expect(monthsOf(5, 5)).toEqual([5]);
    expect(uncoveredMonths([{ from_month: '11', to_month: '2' }, { from_month: '3', to_month: '9' }])).toEqual([10]);
    expect(uncoveredMonths([{ from_month: '1', to_month: '12' }])).toEqual([]);
  });
});
