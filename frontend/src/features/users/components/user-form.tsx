import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, PasswordInput, Select, Stack, TextInput } from '@mantine/core';
import { Controller, useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormError } from '@/components/ui/form-error';
import { applyApiError } from '@/lib/form-errors';
import type { User } from '@/lib/session';
import { addressRule, nameRule, passwordRule, usernameRule } from '@/lib/validation';
import { useCreateUser } from '../api/create-user';
import { useUpdateUser } from '../api/update-user';

const userSchema = (editing: boolean) =>
  z.object({
    username: usernameRule,
    full_name: nameRule,
    address: addressRule,
    role: z.enum(['admin', 'client']),
    // When editing, empty keeps the current password; a new user needs one.
    password: editing ? z.union([z.literal(''), passwordRule]) : passwordRule,
  });
type UserValues = z.infer<ReturnType<typeof userSchema>>;
const FIELDS = ['username', 'full_name', 'address', 'role', 'password'] as const;

/** Creates a user, or edits `user` when given. */
export function UserForm({ user, onDone }: { user?: User; onDone: () => void }) {
  const create = useCreateUser();
  const update = useUpdateUser();
  const form = useForm<UserValues>({
    resolver: zodResolver(userSchema(Boolean(user))),
    defaultValues: {
      username: user?.username ?? '',
      full_name: user?.full_name ?? '',
      address: user?.address ?? '',
      role: user?.role ?? 'client',
      password: '',
    },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      if (user) {
        const { password, address, ...rest } = values;
        await update.mutateAsync({
          id: user.id,
          changes: { ...rest, address: address || null, ...(password ? { password } : {}) },
        });
      } else {
        await create.mutateAsync({ ...values, address: values.address || undefined });
      }
      onDone();
    } catch (error) {
      applyApiError(error, form.setError, FIELDS, 'username');
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-label={user ? 'Edit user' : 'New user'}>
      <Stack>
        <TextInput label="Username" data-autofocus error={errors.username?.message} {...form.register('username')} />
        <TextInput label="Full name" error={errors.full_name?.message} {...form.register('full_name')} />
        <TextInput label="Address" error={errors.address?.message} {...form.register('address')} />
        <Controller
          control={form.control}
          name="role"
          render={({ field }) => (
            <Select
              label="Role"
              data={[
                { value: 'client', label: 'Client' },
                { value: 'admin', label: 'Admin' },
              ]}
              allowDeselect={false}
              value={field.value}
              onChange={(value) => field.onChange(value ?? 'client')}
              error={errors.role?.message}
            />
          )}
        />
        <PasswordInput
          label={user ? 'New password (leave empty to keep)' : 'Password'}
          autoComplete="new-password"
          error={errors.password?.message}
          {...form.register('password')}
        />
        <FormError message={errors.root?.server?.message} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            {user ? 'Save' : 'Create user'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
