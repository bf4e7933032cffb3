import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { sessionStore, TokenResponseSchema } from '@/lib/session';

export type LoginInput = { username: string; password: string };

/** `POST /api/auth/login`: the access token in the body, the refresh token as a cookie. */
export function login(input: LoginInput) {
  return api.post('/api/auth/login', TokenResponseSchema, { body: input, auth: false });
}

export function useLogin() {
  return useMutation({
    mutationFn: login,
    onSuccess: (body) => sessionStore.fromTokenResponse(body),
  });
}
