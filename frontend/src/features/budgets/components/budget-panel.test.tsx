import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { browserTimeZone } from '@/lib/time';
import { client, signIn } from '@/testing/data';
import { apiError, fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { BudgetPanel } from './budget-panel';

const base = `/api/budgets/${client.id}`;
const budget = { client_id: client.id, kind: 'money', amount: 120, tz: 'UTC', currency: 'EUR', updated_at: '2026-12-01T00:00:00Z' };
const METHOD = 'month so far + for each remaining hour the mean of the same hour 1–4 weeks earlier, priced at its own price';
const status = (over: Partial<Record<string, unknown>> = {}) => ({
  client_id: client.id,
  month: '2026-12',
  tz: 'UTC',
  budget: { kind: 'money', amount: 120 },
  currency: 'EUR',
  spent: { kwh: 150, cost: 40 },
  projected: { kwh: 410, cost: 98.5 },
  unpriced_kwh: 0,
  projected_over: false,
  spent_over: false,
  method: METHOD,
  ...over,
});

describe('BudgetPanel', () => {
  it('without a budget offers to set one, validates the amount and sends it as a decimal string', async () => {
    signIn(client);
    let saved = false;
    const server = fakeServer({
      [`GET ${base}`]: () => (saved ? json({ ...budget, amount: 0.01 }) : apiError(404, 'not_found', 'no budget')),
      [`PUT ${base}`]: () => {
        saved = true;
        return json({ ...budget, amount: 0.01 });
      },
      [`GET ${base}/status`]: () => json(status({ budget: { kind: 'money', amount: 0.01 }, projected_over: true, spent_over: true })),
    });
    renderWithApp(<BudgetPanel clientId={client.id} />);
    expect(await screen.findByText('No monthly budget set.')).toBeInTheDocument();
    expect(server.calls(`GET ${base}/status`)).toHaveLength(0);
    await userEvent.click(screen.getByRole('button', { name: 'Set a budget' }));
    await userEvent.type(screen.getByLabelText(/Budget amount/), '0.0000001');
    await userEvent.click(screen.getByRole('button', { name: 'Save budget' }));
    expect(await screen.findByText('At most 6 decimals.')).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText(/Budget amount/));
    await userEvent.type(screen.getByLabelText(/Budget amount/), '0');
    await userEvent.click(screen.getByRole('button', { name: 'Save budget' }));
    expect(await screen.findByText('Must be above 0.')).toBeInTheDocument();
    expect(server.calls(`PUT ${base}`)).toHaveLength(0);
    await userEvent.clear(screen.getByLabelText(/Budget amount/));
    await userEvent.type(screen.getByLabelText(/Budget amount/), '0.01');
    await userEvent.click(screen.getByRole('button', { name: 'Save budget' }));
    expect(await screen.findByText('Budget spent')).toBeInTheDocument();
    expect(server.calls(`PUT ${base}`)[0].body).toEqual({ kind: 'money', amount: '0.01', tz: browserTimeZone() });
    expect(server.calls(`GET ${base}/status`)[0].query.get('tz')).toBe(browserTimeZone());
  });

  it('on track: spent and projected bars against the budget, and the method', async () => {
    signIn(client);
    fakeServer({ [`GET ${base}`]: () => json(budget), [`GET ${base}/status`]: () => json(status()) });
    renderWithApp(<BudgetPanel clientId={client.id} />);
    expect(await screen.findByText('On track')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Spent so far: €40.00 of the €120.00 budget' })).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Projected by month end: €98.50 of the €120.00 budget' })).toBeInTheDocument();
    expect(screen.getByTestId('budget-method')).toHaveTextContent(`Projection: ${METHOD}.`);
  });

  it('marks a month projected over the budget', async () => {
    signIn(client);
    fakeServer({ [`GET ${base}`]: () => json(budget), [`GET ${base}/status`]: () => json(status({ projected: { kwh: 600, cost: 131.2 }, projected_over: true })) });
    renderWithApp(<BudgetPanel clientId={client.id} />);
    expect(await screen.findByText('Projected over budget')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: /Projected by month end: €131\.20 of the €120\.00 budget, over the budget/ })).toBeInTheDocument();
    expect(screen.queryByText('Budget spent')).not.toBeInTheDocument();
  });

  it('tracks a kWh budget, and says so when a money budget has no tariff to price it', async () => {
    signIn(client);
    let kind = 'kwh';
    fakeServer({
      [`GET ${base}`]: () => json({ ...budget, kind, amount: 300, currency: null }),
      [`GET ${base}/status`]: () =>
        json(
          status({
            budget: { kind, amount: 300 },
            currency: null,
            spent: { kwh: 320, cost: null },
            projected: { kwh: 700, cost: null },
            projected_over: true,
            spent_over: true,
          }),
        ),
    });
    const view = renderWithApp(<BudgetPanel clientId={client.id} />);
    expect(await screen.findByText('Budget spent')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: /Spent so far: 320 kWh of the 300 kWh budget, over the budget/ })).toBeInTheDocument();

    kind = 'money';
    await view.queryClient.invalidateQueries();
    expect(await screen.findByText(/No tariff is assigned, so spending in money cannot be shown yet/)).toBeInTheDocument();
  });

  it('removes the budget', async () => {
    signIn(client);
    let removed = false;
    const server = fakeServer({
      [`GET ${base}`]: () => (removed ? apiError(404, 'not_found', 'no budget') : json(budget)),
      [`GET ${base}/status`]: () => json(status()),
      [`DELETE ${base}`]: () => {
        removed = true;
        return new Response(null, { status: 204 });
      },
    });
    renderWithApp(<BudgetPanel clientId={client.id} />);
    const panel = await screen.findByRole('region', { name: 'Monthly budget' });
    await userEvent.click(await within(panel).findByRole('button', { name: 'Remove budget' }));
    expect(await screen.findByText('No monthly budget set.')).toBeInTheDocument();
    await waitFor(() => expect(server.calls(`DELETE ${base}`)).toHaveLength(1));
  });
});
