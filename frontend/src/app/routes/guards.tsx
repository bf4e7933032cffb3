import { Button, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, Navigate, Outlet, useLocation } from 'react-router';
import { LoadingState } from '@/components/ui/states';
import { useAuthReady, useSession } from '@/lib/auth';
import type { Role } from '@/lib/session';

/** Waits for the start-up session restore, then sends anonymous visitors to sign-in. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const ready = useAuthReady();
  const session = useSession();
  const location = useLocation();
  if (!ready) return <LoadingState label="Restoring your session…" />;
  if (!session) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return children;
}

/** Shows the page only to `role`; anyone else gets a clear "no access" page, not the admin UI. */
export function RequireRole({ role, children }: { role: Role; children?: ReactNode }) {
  const session = useSession();
  if (session?.user.role !== role) {
    return (
      <Stack align="flex-start" data-testid="forbidden">
        <Title order={1} size="h2">
          No access
        </Title>
        <Text>This page is for {role === 'admin' ? 'administrators' : 'clients'} only.</Text>
        <Button component={Link} to="/">
          Go to your home page
        </Button>
      </Stack>
    );
  }
  return children ?? <Outlet />;
}

/** `/` goes to the admin's users table or the client's devices. */
export function RoleHome() {
  const session = useSession();
  return <Navigate to={session?.user.role === 'admin' ? '/admin/users' : '/devices'} replace />;
}
