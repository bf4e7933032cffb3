import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { pageSchema } from '@/lib/pagination';
import { UserSchema } from '@/lib/session';

export type UsersFilter = { page: number; perPage: number; q: string };

const UsersPageSchema = pageSchema(UserSchema);

/** `GET /api/users` (admin): a page of users, searched by `q`. */
export function getUsers({ page, perPage, q }: UsersFilter) {
  return api.get('/api/users', UsersPageSchema, { params: { page, per_page: perPage, q } });
}

export function getUsersQueryOptions(filter: UsersFilter) {
  return queryOptions({
    queryKey: ['users', filter],
    queryFn: () => getUsers(filter),
    placeholderData: keepPreviousData,
  });
}

export function useUsers(filter: UsersFilter) {
  return useQuery(getUsersQueryOptions(filter));
}
