import { MantineProvider, createTheme } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { AuthProvider } from '@/lib/auth';
import { LiveProvider } from '@/lib/live';
import type { LiveSocket } from '@/lib/live-socket';
import { createQueryClient } from '@/lib/react-query';

const theme = createTheme({ primaryColor: 'blue', defaultRadius: 'md' });

type Props = { children: ReactNode; queryClient?: QueryClient; socket?: LiveSocket; env?: 'default' | 'test' };

/** Everything the pages rely on: theme, toasts, server state, the session and the live socket. */
export function AppProvider({ children, queryClient, socket, env = 'default' }: Props) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  return (
    <MantineProvider theme={theme} env={env}>
      <Notifications position="top-right" limit={4} />
      <QueryClientProvider client={client}>
        <AuthProvider>
          <LiveProvider socket={socket}>{children}</LiveProvider>
        </AuthProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
