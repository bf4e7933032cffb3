import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { UserSchema } from '@/lib/session';

/** `GET /api/users/{id}` (admin). */
export function getUser(id: string) {
  return api.get(`/api/users/${encodeURIComponent(id)}`, UserSchema);
}

export function getUserQueryOptions(id: string) {
  return queryOptions({ queryKey: ['users', 'one', id], queryFn: () => getUser(id) });
}

export function useUserById(id: string) {
  return useQuery(getUserQueryOptions(id));
}
