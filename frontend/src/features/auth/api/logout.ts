import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { sessionStore } from '@/lib/session';

/** `POST /api/auth/logout`: revokes the refresh token and clears its cookie. */
export function logout() {
  return api.send('POST', '/api/auth/logout');
}

/** Signs out locally even if the server cannot be reached. */
export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      sessionStore.set(null);
      queryClient.clear();
    },
  });
}
