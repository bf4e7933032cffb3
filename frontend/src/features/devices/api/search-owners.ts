import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { pageSchema } from '@/lib/pagination';
import { UserSchema } from '@/lib/session';

const OwnersPageSchema = pageSchema(UserSchema);

/** `GET /api/users?q=` (admin): candidates for the owner picker. */
export function searchOwners(q: string) {
  return api.get('/api/users', OwnersPageSchema, { params: { q, page: 1, per_page: 10 } });
}

export function searchOwnersQueryOptions(q: string) {
  return queryOptions({
    queryKey: ['devices', 'owner-candidates', q],
    queryFn: () => searchOwners(q),
    placeholderData: keepPreviousData,
  });
}

export function useOwnerSearch(q: string) {
  return useQuery(searchOwnersQueryOptions(q));
}
