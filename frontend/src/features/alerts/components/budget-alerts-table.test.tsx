import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { admin, client, signIn } from '@/testing/data';
import { fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { useBudgetAlertToasts } from '../hooks/use-budget-alert-toasts';
import { BudgetAlertsTable } from './budget-alerts-table';

const alert = {
  id: 'b1',
  client_id: client.id,
  client_name: client.full_name,
  month: '2026-12',
  kind: 'projected',
  budget: { kind: 'money', amount: 120 },
  spent: 40,
  projected: 131.2,
  currency: 'EUR',
  created_at: '2026-12-05T10:00:00Z',
  acknowledged_at: null,
};

function WithToasts({ showClient = false }: { showClient?: boolean }) {
  useBudgetAlertToasts(showClient);
  return <BudgetAlertsTable showClient={showClient} />;
}

describe('budget alerts', () => {
  it('lists open budget alerts and acknowledges one', async () => {
    signIn(client);
    let acked = false;
    const server = fakeServer({
      'GET /api/alerts/budget': () => json({ items: acked ? [] : [alert], total: acked ? 0 : 1, page: 1, per_page: 20 }),
      'POST /api/alerts/budget/b1/ack': () => {
        acked = true;
        return json({ ...alert, acknowledged_at: '2026-12-05T11:00:00Z' });
      },
    });
    renderWithApp(<BudgetAlertsTable />);
    expect(await screen.findByText('Budget: projected to exceed €120.00 this month')).toBeInTheDocument();
    expect(screen.getByText('€131.20')).toBeInTheDocument();
    expect(server.calls('GET /api/alerts/budget')[0].query.get('unacknowledged')).toBe('true');
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge budget alert for 2026-12 (projected)' }));
    expect(await screen.findByText('Everything is acknowledged.')).toBeInTheDocument();
    expect(server.calls('POST /api/alerts/budget/b1/ack')).toHaveLength(1);
  });

  it('pops a toast for a budget_alert frame and refreshes the list', async () => {
    signIn(client);
    let items: unknown[] = [];
    const server = fakeServer({ 'GET /api/alerts/budget': () => json({ items, total: items.length, page: 1, per_page: 20 }) });
    const { socket } = renderWithApp(<WithToasts />);
    await screen.findByText('No budget alerts');
    await waitFor(() => expect(socket.live.status).toBe('online'));
    items = [alert];
    act(() => socket.latest().push({ type: 'budget_alert', alert }));
    expect(await screen.findByText('Budget alert')).toBeInTheDocument();
    expect(screen.getByText('Budget: projected to exceed €120.00 this month.')).toBeInTheDocument();
    await waitFor(() => expect(server.calls('GET /api/alerts/budget').length).toBeGreaterThan(1));
  });

  it("names the client for admins and says when the budget is spent", async () => {
    signIn(admin);
    fakeServer({ 'GET /api/alerts/budget': () => json({ items: [], total: 0, page: 1, per_page: 20 }) });
    const { socket } = renderWithApp(<WithToasts showClient />);
    await screen.findByText('No budget alerts');
    await waitFor(() => expect(socket.live.status).toBe('online'));
    act(() => socket.latest().push({ type: 'budget_alert', alert: { ...alert, id: 'b2', kind: 'spent', spent: 121 } }));
    expect(await screen.findByText('Budget alert: Carla Client')).toBeInTheDocument();
    expect(screen.getByText('Budget of €120.00 spent.')).toBeInTheDocument();
  });
});
