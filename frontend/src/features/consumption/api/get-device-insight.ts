import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { DeviceInsightSchema } from '../types';

export type InsightQuery = { deviceId: string; tz: string };

/** `GET /api/consumption/{id}/insight?tz=`: the device's baseline, its alert settings in force and tomorrow's forecast. */
export function getDeviceInsight({ deviceId, tz }: InsightQuery) {
  return api.get(`/api/consumption/${encodeURIComponent(deviceId)}/insight`, DeviceInsightSchema, { params: { tz } });
}

export function getDeviceInsightQueryOptions(query: InsightQuery) {
  return queryOptions({
    // Not under ['consumption', deviceId]: the baseline is learned hourly, live frames need not refetch it.
    queryKey: ['insight', query.deviceId, query.tz],
    queryFn: () => getDeviceInsight(query),
    refetchInterval: 15 * 60_000,
  });
}

export function useDeviceInsight(query: InsightQuery) {
  return useQuery(getDeviceInsightQueryOptions(query));
}
