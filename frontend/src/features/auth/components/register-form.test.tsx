import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeServer } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { RegisterForm } from './register-form';

const noSession = { 'POST /api/auth/refresh': () => apiError(401, 'unauthorized', 'no cookie') };

async function fill(username: string, password = 'long-enough-1', confirm = password) {
  await userEvent.type(screen.getByLabelText('Username'), username);
  await userEvent.type(screen.getByLabelText('Full name'), 'Carla Client');
  await userEvent.type(screen.getByLabelText('Password'), password);
  await userEvent.type(screen.getByLabelText('Repeat password'), confirm);
  await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
}

describe('RegisterForm', () => {
  it('checks the rules the API enforces before sending', async () => {
    const server = fakeServer(noSession);
    renderWithApp(<RegisterForm />);
    await fill('-x', 'short', 'other');
    expect(await screen.findByText('At least 3 characters.')).toBeInTheDocument();
    expect(screen.getByText('At least 8 characters.')).toBeInTheDocument();
    expect(screen.getByText('The passwords differ.')).toBeInTheDocument();
    expect(server.calls('POST /api/auth/register')).toHaveLength(0);
  });

  it('puts a conflict under the username field', async () => {
    fakeServer({ ...noSession, 'POST /api/auth/register': () => apiError(409, 'conflict', 'username already taken') });
    renderWithApp(<RegisterForm />);
    await fill('carla');
    expect(await screen.findByText('username already taken')).toBeInTheDocument();
    expect(screen.getByLabelText('Username')).toHaveAttribute('aria-invalid', 'true');
  });

  it('puts a validation_failed error under the field the API names', async () => {
    fakeServer({
      ...noSession,
      'POST /api/auth/register': () => apiError(422, 'validation_failed', 'full_name must not contain control characters', 'full_name'),
    });
    renderWithApp(<RegisterForm />);
    await fill('carla');
    expect(await screen.findByText('full_name must not contain control characters')).toBeInTheDocument();
    expect(screen.getByLabelText('Full name')).toHaveAttribute('aria-invalid', 'true');
  });
});
