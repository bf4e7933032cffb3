import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Stack, TextInput } from '@mantine/core';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormError } from '@/components/ui/form-error';
import { applyApiError } from '@/lib/form-errors';
import { nameRule } from '@/lib/validation';
import { useRenameTariff } from '../api/rename-tariff';
import type { Tariff } from '../types';

const RenameSchema = z.object({ name: nameRule });
type RenameValues = z.infer<typeof RenameSchema>;

/** Renames a tariff: the one change allowed after it was assigned. */
export function RenameTariffForm({ tariff, onDone }: { tariff: Tariff; onDone: () => void }) {
  const rename = useRenameTariff();
  const form = useForm<RenameValues>({ resolver: zodResolver(RenameSchema), defaultValues: { name: tariff.name } });
  const { errors, isSubmitting } = form.formState;
  const onSubmit = form.handleSubmit(async ({ name }) => {
    try {
      await rename.mutateAsync({ id: tariff.id, name });
      onDone();
    } catch (error) {
      applyApiError(error, form.setError, ['name'], 'name');
    }
  });
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Rename tariff">
      <Stack>
        <TextInput label="Name" data-autofocus error={errors.name?.message} {...form.register('name')} />
        <FormError message={errors.root?.server?.message} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
