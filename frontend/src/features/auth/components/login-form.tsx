import { zodResolver } from '@hookform/resolvers/zod';
import { Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormError } from '@/components/ui/form-error';
import { ApiError, describeError } from '@/lib/api-error';
import { applyApiError } from '@/lib/form-errors';
import { useLogin } from '../api/login';

const LoginSchema = z.object({
  username: z.string().trim().min(1, 'Enter your username.'),
  password: z.string().min(1, 'Enter your password.'),
});
type LoginValues = z.infer<typeof LoginSchema>;

/** Username and password; a wrong pair shows one message, not which half was wrong. */
export function LoginForm({ onSuccess }: { onSuccess?: () => void }) {
  const mutation = useLogin();
  const form = useForm<LoginValues>({ resolver: zodResolver(LoginSchema), defaultValues: { username: '', password: '' } });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await mutation.mutateAsync(values);
      onSuccess?.();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invalid_credentials') {
        form.setError('root.server', { message: 'Wrong username or password.' });
      } else if (error instanceof ApiError && (error.code === 'rate_limited' || error.code === 'unavailable')) {
        // Says when to try again (Retry-After).
        form.setError('root.server', { message: describeError(error) });
      } else {
        applyApiError(error, form.setError, ['username', 'password']);
      }
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Sign in">
      <Stack>
        <TextInput label="Username" autoComplete="username" error={errors.username?.message} {...form.register('username')} />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          error={errors.password?.message}
          {...form.register('password')}
        />
        <FormError message={errors.root?.server?.message} />
        <Button type="submit" loading={isSubmitting}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}
