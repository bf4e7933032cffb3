import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { ApiError } from '@/lib/api-error';
import { BudgetSchema } from '../types';

/** `GET /api/budgets/{client_id}`: the budget, or null when none is set (the API answers 404). */
export async function getBudget(clientId: string) {
  try {
    return await api.get(`/api/budgets/${encodeURIComponent(clientId)}`, BudgetSchema);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export const budgetKey = (clientId: string) => ['budgets', clientId] as const;

export function getBudgetQueryOptions(clientId: string) {
  return queryOptions({ queryKey: [...budgetKey(clientId), 'budget'], queryFn: () => getBudget(clientId) });
}

export function useBudget(clientId: string) {
  return useQuery(getBudgetQueryOptions(clientId));
}
