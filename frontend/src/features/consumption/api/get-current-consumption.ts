import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { CurrentConsumptionSchema } from '../types';

/** `GET /api/consumption/{id}/current`: this clock hour so far. */
export function getCurrentConsumption(deviceId: string) {
  return api.get(`/api/consumption/${encodeURIComponent(deviceId)}/current`, CurrentConsumptionSchema);
}

export const currentConsumptionKey = (deviceId: string) => ['consumption', deviceId, 'current'] as const;

export function getCurrentConsumptionQueryOptions(deviceId: string) {
  return queryOptions({
    queryKey: currentConsumptionKey(deviceId),
    queryFn: () => getCurrentConsumption(deviceId),
    // Live frames keep it fresh; the poll covers a dropped socket and the turn of the hour.
    refetchInterval: 60_000,
  });
}

export function useCurrentConsumption(deviceId: string) {
  return useQuery(getCurrentConsumptionQueryOptions(deviceId));
}
