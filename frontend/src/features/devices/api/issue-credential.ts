import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { IssuedCredentialSchema } from '../types';

/**
 * `POST /api/devices/{id}/credential` (admin): issues a new credential, revoking the one in force
 * (rotation). The answer is the only place its secret is ever shown.
 */
export function issueCredential(deviceId: string) {
  return api.post(`/api/devices/${encodeURIComponent(deviceId)}/credential`, IssuedCredentialSchema);
}

export function useIssueCredential() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: issueCredential,
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['devices'] }),
  });
}
