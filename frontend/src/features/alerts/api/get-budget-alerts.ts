import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { pageSchema } from '@/lib/pagination';
import { BudgetAlertSchema } from '../types';

export type BudgetAlertsFilter = { unacknowledged?: boolean; page?: number; perPage?: number };

const BudgetAlertsPageSchema = pageSchema(BudgetAlertSchema);

/** `GET /api/alerts/budget`: the client's own budget alerts, or every client's for admins; newest first. */
export function getBudgetAlerts({ unacknowledged, page = 1, perPage = 20 }: BudgetAlertsFilter) {
  return api.get('/api/alerts/budget', BudgetAlertsPageSchema, {
    params: { unacknowledged: unacknowledged ? 'true' : undefined, page, per_page: perPage },
  });
}

export function getBudgetAlertsQueryOptions(filter: BudgetAlertsFilter = {}) {
  return queryOptions({
    queryKey: ['alerts', 'budget', filter],
    queryFn: () => getBudgetAlerts(filter),
    placeholderData: keepPreviousData,
  });
}

export function useBudgetAlerts(filter: BudgetAlertsFilter = {}) {
  return useQuery(getBudgetAlertsQueryOptions(filter));
}
