import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

/** `DELETE /api/tariffs/{id}` (admin); 409 once the tariff was ever assigned. */
export function deleteTariff(id: string) {
  return api.send('DELETE', `/api/tariffs/${encodeURIComponent(id)}`);
}

export function useDeleteTariff() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteTariff,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tariffs'] }),
  });
}
