import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { UserSchema, type Role } from '@/lib/session';

export type CreateUserInput = { username: string; password: string; full_name: string; address?: string; role: Role };

/** `POST /api/users` (admin). */
export function createUser(input: CreateUserInput) {
  return api.post('/api/users', UserSchema, { body: input });
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
}
