import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, PasswordInput, Stack } from '@mantine/core';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormError } from '@/components/ui/form-error';
import { ApiError } from '@/lib/api-error';
import { applyApiError } from '@/lib/form-errors';
import { passwordRule } from '@/lib/validation';
import { useChangePassword } from '../api/change-password';

const ChangePasswordSchema = z
  .object({
    current_password: z.string().min(1, 'Enter your current password.'),
    new_password: passwordRule,
    confirm: z.string(),
  })
  .refine((values) => values.new_password === values.confirm, { path: ['confirm'], message: 'The passwords differ.' });
type ChangePasswordValues = z.infer<typeof ChangePasswordSchema>;

export function ChangePasswordForm() {
  const mutation = useChangePassword();
  const form = useForm<ChangePasswordValues>({
    resolver: zodResolver(ChangePasswordSchema),
    defaultValues: { current_password: '', new_password: '', confirm: '' },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async ({ current_password, new_password }) => {
    try {
      await mutation.mutateAsync({ current_password, new_password });
      form.reset();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invalid_credentials') {
        form.setError('current_password', { message: 'The current password is wrong.' });
      } else {
        applyApiError(error, form.setError, ['current_password', 'new_password']);
      }
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Change password">
      <Stack maw={420}>
        <PasswordInput
          label="Current password"
          autoComplete="current-password"
          error={errors.current_password?.message}
          {...form.register('current_password')}
        />
        <PasswordInput
          label="New password"
          autoComplete="new-password"
          error={errors.new_password?.message}
          {...form.register('new_password')}
        />
        <PasswordInput
          label="Repeat new password"
          autoComplete="new-password"
          error={errors.confirm?.message}
          {...form.register('confirm')}
        />
        <FormError message={errors.root?.server?.message} />
        {mutation.isSuccess && !form.formState.isDirty && (
          <Alert color="green" role="status">
            Password changed.
          </Alert>
        )}
        <Button type="submit" loading={isSubmitting} w="fit-content">
          Change password
        </Button>
      </Stack>
    </form>
  );
}
