import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { TariffSchema } from '../types';

/** `PATCH /api/tariffs/{id}` (admin): only the name, which may change even once assigned. */
export function renameTariff({ id, name }: { id: string; name: string }) {
  return api.patch(`/api/tariffs/${encodeURIComponent(id)}`, TariffSchema, { body: { name } });
}

export function useRenameTariff() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: renameTariff,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tariffs'] }),
  });
}
