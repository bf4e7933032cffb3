import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { UserSchema } from '@/lib/session';

/** `GET /api/users/{id}` (admin): the owner shown in the devices table. */
export function getOwner(id: string) {
  return api.get(`/api/users/${encodeURIComponent(id)}`, UserSchema);
}

export function getOwnerQueryOptions(id: string) {
  return queryOptions({ queryKey: ['devices', 'owner', id], queryFn: () => getOwner(id), staleTime: 5 * 60_000 });
}

export function useOwner(id: string | null | undefined) {
  return useQuery({ ...getOwnerQueryOptions(id ?? ''), enabled: Boolean(id) });
}
