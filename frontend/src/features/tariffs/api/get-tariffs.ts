import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { TariffsPageSchema } from '../types';

export type TariffsFilter = { page?: number; perPage?: number };

/** `GET /api/tariffs`: every tariff for admins; a client's own for clients. */
export function getTariffs({ page = 1, perPage = 20 }: TariffsFilter) {
  return api.get('/api/tariffs', TariffsPageSchema, { params: { page, per_page: perPage } });
}

export function getTariffsQueryOptions(filter: TariffsFilter = {}) {
  return queryOptions({
    queryKey: ['tariffs', 'list', filter],
    queryFn: () => getTariffs(filter),
    placeholderData: keepPreviousData,
  });
}

export function useTariffs(filter: TariffsFilter = {}) {
  return useQuery(getTariffsQueryOptions(filter));
}
