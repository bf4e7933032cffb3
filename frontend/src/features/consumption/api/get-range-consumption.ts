import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { RangeConsumptionSchema } from '../types';

export type RangeQuery = { deviceId: string; from: string; to: string; bucket: 'hour' | 'day' | 'month'; tz: string };

/** `GET /api/consumption/{id}/range?from=&to=&bucket=&tz=`: totals per bucket over `[from, to)`. */
export function getRangeConsumption({ deviceId, ...params }: RangeQuery) {
  return api.get(`/api/consumption/${encodeURIComponent(deviceId)}/range`, RangeConsumptionSchema, { params });
}

export function getRangeConsumptionQueryOptions(query: RangeQuery) {
  return queryOptions({
    queryKey: ['consumption', query.deviceId, 'range', query.from, query.to, query.bucket, query.tz],
    queryFn: () => getRangeConsumption(query),
  });
}

export function useRangeConsumption(query: RangeQuery) {
  return useQuery(getRangeConsumptionQueryOptions(query));
}
