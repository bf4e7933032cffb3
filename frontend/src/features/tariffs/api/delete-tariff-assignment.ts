import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

/** `DELETE /api/tariff-assignments/{id}` (admin): only one that starts in the future (else 409). */
export function deleteTariffAssignment(id: string) {
  return api.send('DELETE', `/api/tariff-assignments/${encodeURIComponent(id)}`);
}

export function useDeleteTariffAssignment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteTariffAssignment,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tariff-assignments'] }),
  });
}
