import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { PeriodConsumptionSchema } from '../types';
import { periodParams, type PeriodParams } from './get-period-consumption';

/** All of a client's devices: the signed-in client's own (no id) or, for admins, the client's. */
export type TotalQuery = PeriodParams & { clientId?: string };

/** `GET /api/consumption/total?period=&date=&tz=&compare=&forecast=&cost=true&client_id=`: all devices together, with cost. */
export function getTotalConsumption({ clientId, ...params }: TotalQuery) {
  return api.get('/api/consumption/total', PeriodConsumptionSchema, {
    params: { ...periodParams(params), cost: true, client_id: clientId },
  });
}

export function getTotalConsumptionQueryOptions(query: TotalQuery) {
  const { period, date, tz, compare = [], forecast = false } = query;
  return queryOptions({
    // Polled like the summary: every device's live frames would refetch it far too often.
    queryKey: ['consumption', 'total', query.clientId ?? 'me', period, date, tz, compare.join(','), forecast],
    queryFn: () => getTotalConsumption(query),
    refetchInterval: 60_000,
  });
}

export function useTotalConsumption(query: TotalQuery) {
  return useQuery(getTotalConsumptionQueryOptions(query));
}
