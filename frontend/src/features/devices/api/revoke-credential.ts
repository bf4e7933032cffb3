import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

/** `DELETE /api/devices/{id}/credential` (admin): 204, or 404 `not_found` when none is in force. */
export function revokeCredential(deviceId: string) {
  return api.send('DELETE', `/api/devices/${encodeURIComponent(deviceId)}/credential`);
}

export function useRevokeCredential() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeCredential,
    // A 404 means someone else revoked it already: refetch either way so the page says so.
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['devices'] }),
  });
}
