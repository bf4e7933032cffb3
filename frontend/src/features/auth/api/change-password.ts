import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export type ChangePasswordInput = { current_password: string; new_password: string };

/** `POST /api/auth/password`. */
export function changePassword(input: ChangePasswordInput) {
  return api.send('POST', '/api/auth/password', { body: input });
}

export function useChangePassword() {
  return useMutation({ mutationFn: changePassword });
}
