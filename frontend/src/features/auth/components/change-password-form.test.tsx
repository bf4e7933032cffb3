import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { client, signIn } from '@/testing/data';
import { apiError, fakeServer } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { ChangePasswordForm } from './change-password-form';

async function submit(current: string, next: string) {
  await userEvent.type(screen.getByLabelText('Current password'), current);
  await userEvent.type(screen.getByLabelText('New password'), next);
  await userEvent.type(screen.getByLabelText('Repeat new password'), next);
  await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
}

describe('ChangePasswordForm', () => {
  it('sends current and new password and confirms', async () => {
    signIn(client);
    const server = fakeServer({ 'POST /api/auth/password': () => new Response(null, { status: 204 }) });
    renderWithApp(<ChangePasswordForm />);
    await submit('old-password', 'new-password-1');
    expect(await screen.findByText('Password changed.')).toBeInTheDocument();
    expect(server.calls('POST /api/auth/password')[0].body).toEqual({ current_password: 'old-password', new_password: 'new-password-1' });
    await waitFor(() => expect(screen.getByLabelText('Current password')).toHaveValue(''));
  });

  it('marks a wrong current password on its field', async () => {
    signIn(client);
    fakeServer({ 'POST /api/auth/password': () => apiError(401, 'invalid_credentials', 'wrong password') });
    renderWithApp(<ChangePasswordForm />);
    await submit('bad-password', 'new-password-1');
    expect(await screen.findByText('The current password is wrong.')).toBeInTheDocument();
    expect(screen.getByLabelText('Current password')).toHaveAccessibleDescription('The current password is wrong.');
  });
});
