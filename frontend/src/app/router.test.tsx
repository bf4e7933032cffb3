import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient } from '@tanstack/react-query';
import { RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';
import { admin, client, tokenBody } from '@/testing/data';
import { apiError, fakeServer, json } from '@/testing/fake-server';
import { fakeLive } from '@/testing/fake-socket';
import { AppProvider } from './provider';
import { createTestRouter } from './router';

function renderApp(path: string) {
  const router = createTestRouter(path);
  render(
    <AppProvider queryClient={new QueryClient({ defaultOptions: { queries: { retry: false } } })} socket={fakeLive().live} env="test">
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return router;
}

const empty = json({ items: [], total: 0, page: 1, per_page: 20 });

describe('routing and guards', () => {
  it('sends an anonymous visitor to sign-in after trying the refresh cookie', async () => {
    const server = fakeServer({ 'POST /api/auth/refresh': () => apiError(401, 'unauthorized', 'no cookie') });
    const router = renderApp('/devices');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(server.calls('POST /api/auth/refresh')).toHaveLength(1);
  });

  it('restores the session from the refresh cookie on reload', async () => {
    fakeServer({
      'POST /api/auth/refresh': () => json(tokenBody(client)),
      'GET /api/devices': () => empty,
      'GET /api/consumption/summary': () => json({ currency: null, today: { kwh: 0, cost: null }, month: { kwh: 0, cost: null }, devices: [] }),
      [`GET /api/budgets/${client.id}`]: () => apiError(404, 'not_found', 'no budget'),
    });
    renderApp('/devices');
    expect(await screen.findByRole('heading', { name: 'My devices' })).toBeInTheDocument();
    expect(await screen.findByText('No devices yet')).toBeInTheDocument();
    expect(await screen.findByText('No monthly budget set.')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'All devices' })).toBeInTheDocument();
  });

  it('keeps a client out of admin pages reached by URL', async () => {
    const server = fakeServer({ 'POST /api/auth/refresh': () => json(tokenBody(client)) });
    renderApp('/admin/users');
    expect(await screen.findByRole('heading', { name: 'No access' })).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Users' })).not.toBeInTheDocument();
    expect(server.calls('GET /api/users')).toHaveLength(0);
  });

  it("sends each role to its home and shows the admin's navigation", async () => {
    fakeServer({ 'POST /api/auth/refresh': () => json(tokenBody(admin)), 'GET /api/users': () => json({ items: [admin], total: 1, page: 1, per_page: 20 }) });
    const router = renderApp('/');
    expect(await screen.findByRole('heading', { name: 'Users' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/admin/users');
    expect(screen.getByRole('link', { name: 'Support inbox' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Tariffs' })).toBeInTheDocument();
  });

  it("gives admins a client's page with the summary, the tariff and the budget", async () => {
    fakeServer({
      'POST /api/auth/refresh': () => json(tokenBody(admin)),
      [`GET /api/users/${client.id}`]: () => json(client),
      'GET /api/consumption/summary': () => json({ currency: 'EUR', today: { kwh: 1, cost: 0.3 }, month: { kwh: 9, cost: 2.7 }, devices: [] }),
      'GET /api/tariff-assignments': () => json({ items: [], total: 0, page: 1, per_page: 20, current: null }),
      'GET /api/tariffs': () => empty,
      [`GET /api/budgets/${client.id}`]: () => apiError(404, 'not_found', 'no budget'),
    });
    renderApp(`/admin/users/${client.id}`);
    expect(await screen.findByRole('heading', { name: 'Carla Client' })).toBeInTheDocument();
    expect(await screen.findByText('No tariff assigned: consumption is shown in kWh only.')).toBeInTheDocument();
    expect(await within(screen.getByRole('region', { name: 'All devices' })).findByText('€2.70')).toBeInTheDocument();
    expect(await screen.findByText('No monthly budget set.')).toBeInTheDocument();
  });

  it('puts budget alerts on their own tab of the alerts page', async () => {
    const server = fakeServer({
      'POST /api/auth/refresh': () => json(tokenBody(client)),
      'GET /api/alerts': () => json({ items: [], total: 0, page: 1, per_page: 20 }),
      'GET /api/alerts/budget': () => json({ items: [], total: 0, page: 1, per_page: 20 }),
    });
    renderApp('/alerts');
    expect(await screen.findByRole('heading', { name: 'Alerts' })).toBeInTheDocument();
    expect(server.calls('GET /api/alerts/budget')).toHaveLength(0);
    await userEvent.click(screen.getByRole('tab', { name: 'Budget' }));
    expect(await screen.findByText('No budget alerts')).toBeInTheDocument();
  });
});
