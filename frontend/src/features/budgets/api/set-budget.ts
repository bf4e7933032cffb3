import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { BudgetSchema, type BudgetKind } from '../types';
import { budgetKey } from './get-budget';

/** The amount goes as the exact decimal typed (`"120.00"`). */
export type SetBudgetInput = { clientId: string; kind: BudgetKind; amount: string; tz: string };

/** `PUT /api/budgets/{client_id}` (the client or an admin). */
export function setBudget({ clientId, kind, amount, tz }: SetBudgetInput) {
  return api.put(`/api/budgets/${encodeURIComponent(clientId)}`, BudgetSchema, { body: { kind, amount, tz } });
}

export function useSetBudget() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: setBudget,
    onSuccess: (_budget, { clientId }) => queryClient.invalidateQueries({ queryKey: budgetKey(clientId) }),
  });
}
