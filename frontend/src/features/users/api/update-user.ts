import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { UserSchema, type Role } from '@/lib/session';

export type UpdateUserInput = {
  id: string;
  changes: { username?: string; full_name?: string; address?: string | null; role?: Role; password?: string };
};

/** `PATCH /api/users/{id}` (admin): only the fields given change. */
export function updateUser({ id, changes }: UpdateUserInput) {
  return api.patch(`/api/users/${encodeURIComponent(id)}`, UserSchema, { body: changes });
}

export function useUpdateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateUser,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
}
