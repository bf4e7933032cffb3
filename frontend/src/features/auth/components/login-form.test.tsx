import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { sessionStore } from '@/lib/session';
import { client, tokenBody } from '@/testing/data';
import { apiError, fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { LoginForm } from './login-form';

const noSession = { 'POST /api/auth/refresh': () => apiError(401, 'unauthorized', 'no cookie') };

describe('LoginForm', () => {
  it('asks for both fields before calling the API', async () => {
    const server = fakeServer(noSession);
    renderWithApp(<LoginForm />);
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter your username.')).toBeInTheDocument();
    expect(screen.getByText('Enter your password.')).toBeInTheDocument();
    expect(server.calls('POST /api/auth/login')).toHaveLength(0);
  });

  it('shows one message for wrong credentials', async () => {
    fakeServer({ ...noSession, 'POST /api/auth/login': () => apiError(401, 'invalid_credentials', 'invalid credentials') });
    renderWithApp(<LoginForm />);
    await userEvent.type(screen.getByLabelText('Username'), 'carla');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong-password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
    expect(sessionStore.get()).toBeNull();
  });

  it('says when sign-in is rate limited', async () => {
    fakeServer({ ...noSession, 'POST /api/auth/login': () => apiError(429, 'rate_limited', 'slow down') });
    renderWithApp(<LoginForm />);
    await userEvent.type(screen.getByLabelText('Username'), 'carla');
    await userEvent.type(screen.getByLabelText('Password'), 'whatever1');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/Too many attempts/);
  });

  it('says when to try again after a throttled sign-in (Retry-After)', async () => {
    const limited = () => {
      const response = apiError(429, 'rate_limited', 'too many failed sign-in attempts');
      response.headers.set('retry-after', '600');
      return response;
    };
    fakeServer({ ...noSession, 'POST /api/auth/login': limited });
    renderWithApp(<LoginForm />);
    await userEvent.type(screen.getByLabelText('Username'), 'carla');
    await userEvent.type(screen.getByLabelText('Password'), 'whatever1');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts. Try again in 10 minutes.');
  });

  it('stores the session on success', async () => {
    const server = fakeServer({ ...noSession, 'POST /api/auth/login': () => json(tokenBody(client, 'tok')) });
    const onSuccess = vi.fn();
    renderWithApp(<LoginForm onSuccess={onSuccess} />);
    await userEvent.type(screen.getByLabelText('Username'), ' carla ');
    await userEvent.type(screen.getByLabelText('Password'), 'secret-pass');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(onSuccess).toHaveBeenCalled());
    expect(server.calls('POST /api/auth/login')[0].body).toEqual({ username: 'carla', password: 'secret-pass' });
    expect(sessionStore.get()?.user.username).toBe('carla');
  });
});
