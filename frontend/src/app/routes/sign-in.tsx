import { Alert, Anchor } from '@mantine/core';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { LoginForm } from '@/features/auth/components/login-form';
import { useAuthReady, useSession } from '@/lib/auth';
import { sessionStore } from '@/lib/session';
import { AuthPage } from './auth-page';

export function SignInRoute() {
  const navigate = useNavigate();
  const location = useLocation();
  const ready = useAuthReady();
  const session = useSession();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  if (ready && session) return <Navigate to={from} replace />;
  const ended = sessionStore.endedReason();
  return (
    <AuthPage
      title="Sign in"
      footer={
        <>
          New here?{' '}
          <Anchor component={Link} to="/register">
            Create a client account
          </Anchor>
        </>
      }
    >
      {ended && (
        <Alert color="yellow" mb="md" role="status" title="You were signed out">
          {ended}
        </Alert>
      )}
      <LoginForm onSuccess={() => navigate(from, { replace: true })} />
    </AuthPage>
  );
}
