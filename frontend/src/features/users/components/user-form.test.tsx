import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { admin, client, signIn } from '@/testing/data';
import { fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { UserForm } from './user-form';

describe('UserForm (edit)', () => {
  it('keeps the password when left empty and sends the changed fields', async () => {
    signIn(admin);
    const server = fakeServer({ [`PATCH /api/users/${client.id}`]: () => json({ ...client, full_name: 'Carla C.' }) });
    const onDone = vi.fn();
    renderWithApp(<UserForm user={client} onDone={onDone} />);
    const name = screen.getByLabelText('Full name');
    await userEvent.clear(name);
    await userEvent.type(name, 'Carla C.');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const body = server.calls(`PATCH /api/users/${client.id}`)[0].body as Record<string, unknown>;
    expect(body).toMatchObject({ username: 'carla', full_name: 'Carla C.', role: 'client', address: 'Strada Lunga 1' });
    expect(body).not.toHaveProperty('password');
  });

  it('rejects a too-short new password without calling the API', async () => {
    signIn(admin);
    const server = fakeServer({});
    renderWithApp(<UserForm user={client} onDone={() => undefined} />);
    await userEvent.type(screen.getByLabelText('New password (leave empty to keep)'), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('At least 8 characters.')).toBeInTheDocument();
    expect(server.seen).toHaveLength(0);
  });
});
