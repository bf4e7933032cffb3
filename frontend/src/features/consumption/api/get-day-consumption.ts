import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { DayConsumptionSchema } from '../types';

export type DayQuery = { deviceId: string; date: string; tz: string };

/** `GET /api/consumption/{id}/day?date=&tz=`: the hours of a local day. */
export function getDayConsumption({ deviceId, date, tz }: DayQuery) {
  return api.get(`/api/consumption/${encodeURIComponent(deviceId)}/day`, DayConsumptionSchema, { params: { date, tz } });
}

export function getDayConsumptionQueryOptions(query: DayQuery) {
  return queryOptions({
    queryKey: ['consumption', query.deviceId, 'day', query.date, query.tz],
    queryFn: () => getDayConsumption(query),
  });
}

export function useDayConsumption(query: DayQuery) {
  return useQuery(getDayConsumptionQueryOptions(query));
}
