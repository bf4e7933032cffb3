import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

/** `POST /api/alerts/{id}/ack`. */
export function acknowledgeAlert(id: string) {
  return api.send('POST', `/api/alerts/${encodeURIComponent(id)}/ack`);
}

export function useAcknowledgeAlert() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: acknowledgeAlert,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['alerts'] }),
  });
}
