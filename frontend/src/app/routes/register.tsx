import { Anchor } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import { RegisterForm } from '@/features/auth/components/register-form';
import { AuthPage } from './auth-page';

export function RegisterRoute() {
  const navigate = useNavigate();
  return (
    <AuthPage
      title="Create account"
      footer={
        <>
          Already have an account?{' '}
          <Anchor component={Link} to="/sign-in">
            Sign in
          </Anchor>
        </>
      }
    >
      <RegisterForm onSuccess={() => navigate('/devices', { replace: true })} />
    </AuthPage>
  );
}
