import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

/** `POST /api/alerts/budget/{id}/ack`. */
export function acknowledgeBudgetAlert(id: string) {
  return api.send('POST', `/api/alerts/budget/${encodeURIComponent(id)}/ack`);
}

export function useAcknowledgeBudgetAlert() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: acknowledgeBudgetAlert,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['alerts', 'budget'] }),
  });
}
