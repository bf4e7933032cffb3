import { zodResolver } from '@hookform/resolvers/zod';
import { Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormError } from '@/components/ui/form-error';
import { applyApiError } from '@/lib/form-errors';
import { addressRule, nameRule, passwordRule, usernameRule } from '@/lib/validation';
import { useRegister } from '../api/register';

const RegisterSchema = z
  .object({
    username: usernameRule,
    full_name: nameRule,
    address: addressRule,
    password: passwordRule,
    confirm: z.string(),
  })
  .refine((values) => values.password === values.confirm, { path: ['confirm'], message: 'The passwords differ.' });
type RegisterValues = z.infer<typeof RegisterSchema>;

const FIELDS = ['username', 'full_name', 'address', 'password'] as const;

/** Creates a client account and signs it in. */
export function RegisterForm({ onSuccess }: { onSuccess?: () => void }) {
  const mutation = useRegister();
  const form = useForm<RegisterValues>({
    resolver: zodResolver(RegisterSchema),
    defaultValues: { username: '', full_name: '', address: '', password: '', confirm: '' },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async ({ confirm: _confirm, address, ...values }) => {
    try {
      await mutation.mutateAsync({ ...values, address: address || undefined });
      onSuccess?.();
    } catch (error) {
      applyApiError(error, form.setError, FIELDS, 'username');
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Create account">
      <Stack>
        <TextInput label="Username" autoComplete="username" error={errors.username?.message} {...form.register('username')} />
        <TextInput label="Full name" autoComplete="name" error={errors.full_name?.message} {...form.register('full_name')} />
        <TextInput
          label="Address (optional)"
          autoComplete="street-address"
          error={errors.address?.message}
          {...form.register('address')}
        />
        <PasswordInput
          label="Password"
          description="8 to 128 characters."
          autoComplete="new-password"
          error={errors.password?.message}
          {...form.register('password')}
        />
        <PasswordInput
          label="Repeat password"
          autoComplete="new-password"
          error={errors.confirm?.message}
          {...form.register('confirm')}
        />
        <FormError message={errors.root?.server?.message} />
        <Button type="submit" loading={isSubmitting}>
          Create account
        </Button>
      </Stack>
    </form>
  );
}
