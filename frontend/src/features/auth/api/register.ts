import { useMutation } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '@/lib/api-client';
import { sessionStore, UserSchema } from '@/lib/session';
import { login } from './login';

export type RegisterInput = { username: string; password: string; full_name: string; address?: string };

const RegisterResponseSchema = z.object({ user: UserSchema });

/** `POST /api/auth/register`: creates a client account. */
export function register(input: RegisterInput) {
  return api.post('/api/auth/register', RegisterResponseSchema, { body: input, auth: false });
}

/** Registers, then signs the new client in with the same credentials. */
export function useRegister() {
  return useMutation({
    mutationFn: async (input: RegisterInput) => {
      await register(input);
      return login({ username: input.username, password: input.password });
    },
    onSuccess: (body) => sessionStore.fromTokenResponse(body),
  });
}
