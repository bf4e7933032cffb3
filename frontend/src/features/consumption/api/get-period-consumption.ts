import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { Period } from '@/lib/time';
import { PeriodConsumptionSchema, type CompareKind } from '../types';

/** One period of a chart: which, in which zone, compared with what, and whether with the day's forecast. */
export type PeriodParams = { period: Period; date: string; tz: string; compare?: CompareKind[]; forecast?: boolean };
export type PeriodQuery = PeriodParams & { deviceId: string };

/** The query string the two period routes share (`compare=previous,year`, `forecast` only when asked for). */
export function periodParams({ period, date, tz, compare = [], forecast = false }: PeriodParams) {
  return { period, date, tz, compare: compare.length ? compare.join(',') : undefined, forecast: forecast || undefined };
}

/** `GET /api/consumption/{id}/period?period=&date=&tz=&compare=&forecast=`: one device's chart (always with cost). */
export function getPeriodConsumption({ deviceId, ...params }: PeriodQuery) {
  return api.get(`/api/consumption/${encodeURIComponent(deviceId)}/period`, PeriodConsumptionSchema, { params: periodParams(params) });
}

export function getPeriodConsumptionQueryOptions(query: PeriodQuery) {
  const { period, date, tz, compare = [], forecast = false } = query;
  return queryOptions({
    // Under ['consumption', deviceId]: the device's live frames refetch it.
    queryKey: ['consumption', query.deviceId, 'period', period, date, tz, compare.join(','), forecast],
    queryFn: () => getPeriodConsumption(query),
  });
}

export function usePeriodConsumption(query: PeriodQuery) {
  return useQuery(getPeriodConsumptionQueryOptions(query));
}
