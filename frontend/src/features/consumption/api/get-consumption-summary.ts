import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { ConsumptionSummarySchema } from '../types';

/** Whose summary: a client's own (no id) or, for admins, the client's. */
export type SummaryQuery = { tz: string; clientId?: string };

/** `GET /api/consumption/summary?tz=&client_id=`: today's and this month's kWh and cost, in total and per device. */
export function getConsumptionSummary({ tz, clientId }: SummaryQuery) {
  return api.get('/api/consumption/summary', ConsumptionSummarySchema, { params: { tz, client_id: clientId } });
}

export function getConsumptionSummaryQueryOptions(query: SummaryQuery) {
  return queryOptions({
    // Polled: refetching on every live frame (up to one a second per device) would be too much for a summary.
    queryKey: ['consumption', 'summary', query.clientId ?? 'me', query.tz],
    queryFn: () => getConsumptionSummary(query),
    refetchInterval: 60_000,
  });
}

export function useConsumptionSummary(query: SummaryQuery) {
  return useQuery(getConsumptionSummaryQueryOptions(query));
}
