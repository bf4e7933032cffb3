import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '@/lib/api-client';
import { AlertSchema, type AlertKind } from '../types';

export type AlertsFilter = { deviceId?: string; acknowledged?: boolean; kind?: AlertKind; page?: number; perPage?: number };

const AlertsPageSchema = z.object({
  items: z.array(AlertSchema),
  total: z.number().optional(),
  page: z.number().optional(),
  per_page: z.number().optional(),
});

/** `GET /api/alerts`: the client's own alerts, or every alert for admins; newest first. */
export function getAlerts({ deviceId, acknowledged, kind, page = 1, perPage = 20 }: AlertsFilter) {
  return api.get('/api/alerts', AlertsPageSchema, {
    params: { device_id: deviceId, acknowledged, kind, page, per_page: perPage },
  });
}

export function getAlertsQueryOptions(filter: AlertsFilter = {}) {
  return queryOptions({
    queryKey: ['alerts', filter],
    queryFn: () => getAlerts(filter),
    placeholderData: keepPreviousData,
  });
}

export function useAlerts(filter: AlertsFilter = {}) {
  return useQuery(getAlertsQueryOptions(filter));
}
