import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { BudgetStatusSchema } from '../types';
import { budgetKey } from './get-budget';

/** `GET /api/budgets/{client_id}/status?tz=`: spent so far and the month-end projection. */
export function getBudgetStatus(clientId: string, tz: string) {
  return api.get(`/api/budgets/${encodeURIComponent(clientId)}/status`, BudgetStatusSchema, { params: { tz } });
}

export function getBudgetStatusQueryOptions(clientId: string, tz: string, enabled = true) {
  return queryOptions({
    queryKey: [...budgetKey(clientId), 'status', tz],
    queryFn: () => getBudgetStatus(clientId, tz),
    enabled,
    refetchInterval: 60_000,
  });
}

export function useBudgetStatus(clientId: string, tz: string, enabled = true) {
  return useQuery(getBudgetStatusQueryOptions(clientId, tz, enabled));
}
