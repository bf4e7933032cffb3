import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { admin, client, signIn } from '@/testing/data';
import { apiError, fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { UsersTable } from './users-table';

const page = (items: unknown[], total = items.length, pageNo = 1) => json({ items, total, page: pageNo, per_page: 20 });

describe('UsersTable', () => {
  it('lists users, searches on the server and pages', async () => {
    signIn(admin);
    const server = fakeServer({
      'GET /api/users': (request) =>
        request.query.get('q') === 'car' ? page([client]) : page([admin, client], 45, Number(request.query.get('page'))),
    });
    renderWithApp(<UsersTable />);
    const table = await screen.findByRole('table', { name: 'Users' });
    expect(within(table).getByText('Carla Client')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: '3' }));
    await waitFor(() => expect(server.calls('GET /api/users').some((r) => r.query.get('page') === '3')).toBe(true));
    await userEvent.type(screen.getByLabelText('Search users'), 'car');
    await waitFor(() => expect(screen.queryByText('Ada Admin')).not.toBeInTheDocument());
    const searched = server.calls('GET /api/users').at(-1)!;
    expect(searched.query.get('q')).toBe('car');
    expect(searched.query.get('page')).toBe('1');
  });

  it('shows the empty state', async () => {
    signIn(admin);
    fakeServer({ 'GET /api/users': () => page([]) });
    renderWithApp(<UsersTable />);
    expect(await screen.findByText('No users found')).toBeInTheDocument();
  });

  it('shows an error state with retry', async () => {
    signIn(admin);
    fakeServer({ 'GET /api/users': () => apiError(403, 'forbidden', 'admins only') });
    renderWithApp(<UsersTable />);
    expect(await screen.findByRole('alert')).toHaveTextContent('You do not have access to this.');
  });

  it('creates a user and shows a conflict under the username', async () => {
    signIn(admin);
    const server = fakeServer({
      'GET /api/users': () => page([admin]),
      'POST /api/users': () => apiError(409, 'conflict', 'username already taken'),
    });
    renderWithApp(<UsersTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'New user' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Username'), 'carla');
    await userEvent.type(within(dialog).getByLabelText('Full name'), 'Carla Client');
    await userEvent.type(within(dialog).getByLabelText('Password'), 'secret-pass-1');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect(await within(dialog).findByText('username already taken')).toBeInTheDocument();
    expect(server.calls('POST /api/users')[0].body).toEqual({
      username: 'carla',
      full_name: 'Carla Client',
      role: 'client',
      password: 'secret-pass-1',
    });
  });

  it('deletes only after confirmation and explains last_admin', async () => {
    signIn(admin);
    const server = fakeServer({
      'GET /api/users': () => page([admin, client]),
      [`DELETE /api/users/${admin.id}`]: () => apiError(409, 'last_admin', 'last admin'),
      [`DELETE /api/users/${client.id}`]: () => new Response(null, { status: 204 }),
    });
    renderWithApp(<UsersTable />);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete admin' }));
    expect(server.calls(`DELETE /api/users/${admin.id}`)).toHaveLength(0);
    let dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('last admin');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    await userEvent.click(screen.getByRole('button', { name: 'Delete carla' }));
    dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(server.calls(`DELETE /api/users/${client.id}`)).toHaveLength(1));
  });
});
