import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { budgetKey } from './get-budget';

/** `DELETE /api/budgets/{client_id}`. */
export function deleteBudget(clientId: string) {
  return api.send('DELETE', `/api/budgets/${encodeURIComponent(clientId)}`);
}

export function useDeleteBudget() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteBudget,
    onSuccess: (_result, clientId) => queryClient.invalidateQueries({ queryKey: budgetKey(clientId) }),
  });
}
