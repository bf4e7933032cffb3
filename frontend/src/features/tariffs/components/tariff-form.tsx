import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, NativeSelect, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { Controller, useFieldArray, useForm, useWatch, type Path } from 'react-hook-form';
import { FormError } from '@/components/ui/form-error';
import { ApiError, describeError } from '@/lib/api-error';
import { browserTimeZone } from '@/lib/time';
import { useCreateTariff } from '../api/create-tariff';
import type { TariffKind } from '../types';
import { SeasonFields } from './season-fields';
import {
  emptySeason,
  formPathOf,
  TariffFormSchema,
  toCreateTariffInput,
  type TariffFormInput,
  type TariffFormValues,
} from './tariff-form-schema';

const KINDS: { value: TariffKind; label: string }[] = [
  { value: 'flat', label: 'Flat' },
  { value: 'time_of_use', label: 'Time of use' },
  { value: 'dynamic', label: 'Dynamic' },
];

// Fields the form shows an error under; other API fields go on the form.
const SHOWN =
  /^(name|currency|tz|standing_charge_per_day|price_per_kwh|seasons(\.\d+\.(from_month|to_month|default_price_per_kwh|periods\.\d+\.(days|from|to|price_per_kwh)))?)$/;

/** Creates a tariff of one of the three kinds (tariffs are not edited once made, only renamed). */
export function TariffForm({ onDone }: { onDone: () => void }) {
  const create = useCreateTariff();
  const form = useForm<TariffFormInput, unknown, TariffFormValues>({
    resolver: zodResolver(TariffFormSchema),
    defaultValues: {
      name: '',
      kind: 'flat',
      currency: 'EUR',
      tz: browserTimeZone(),
      standing_charge_per_day: '0',
      price_per_kwh: '',
      slot_minutes: '60',
      seasons: [emptySeason()],
    },
  });
  const seasons = useFieldArray({ control: form.control, name: 'seasons' });
  const { errors, isSubmitting } = form.formState;
  const kind = useWatch({ control: form.control, name: 'kind' });

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await create.mutateAsync(toCreateTariffInput(values));
      onDone();
    } catch (error) {
      // Validation errors name the field (`seasons[0].periods[1].to`); a name conflict goes under the name.
      const path = error instanceof ApiError && error.field ? formPathOf(error.field) : '';
      if (error instanceof ApiError && error.code === 'validation_failed' && SHOWN.test(path)) {
        form.setError(path as Path<TariffFormInput>, { type: 'server', message: error.message });
        return;
      }
      if (error instanceof ApiError && error.code === 'conflict') {
        form.setError('name', { type: 'server', message: error.message });
        return;
      }
      form.setError('root.server', { type: 'server', message: describeError(error) });
    }
  });

  const seasonsError = errors.seasons?.message ?? errors.seasons?.root?.message;

  return (
    <form onSubmit={onSubmit} noValidate aria-label="New tariff">
      <Stack>
        <TextInput label="Name" data-autofocus error={errors.name?.message} {...form.register('name')} />
        <Controller
          control={form.control}
          name="kind"
          render={({ field }) => (
            <Stack gap={4}>
              <Text size="sm" fw={500} id="tariff-kind-label">
                Kind
              </Text>
              <SegmentedControl aria-labelledby="tariff-kind-label" value={field.value} onChange={field.onChange} data={KINDS} />
            </Stack>
          )}
        />
        <Group grow align="flex-start">
          <TextInput label="Currency" description="ISO 4217, e.g. EUR" maxLength={3} error={errors.currency?.message} {...form.register('currency')} />
          <TextInput label="Time zone" description="Local days and times of the tariff" error={errors.tz?.message} {...form.register('tz')} />
        </Group>
        <TextInput
          label="Standing charge per day"
          description="Charged per local day besides energy; 0 for none"
          inputMode="decimal"
          error={errors.standing_charge_per_day?.message}
          {...form.register('standing_charge_per_day')}
        />
        {kind === 'flat' && (
          <TextInput label="Price per kWh" inputMode="decimal" error={errors.price_per_kwh?.message} {...form.register('price_per_kwh')} />
        )}
        {kind === 'dynamic' && (
          <NativeSelect
            label="Slot length"
            description="Upload the prices after creating the tariff; a slot without a price is reported as unpriced."
            data={[
              { value: '60', label: '60 minutes' },
              { value: '15', label: '15 minutes' },
            ]}
            {...form.register('slot_minutes')}
          />
        )}
        {kind === 'time_of_use' && (
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              The first season containing a month applies; within it, the first period containing the weekday and time, else the
              season&apos;s default price.
            </Text>
            {seasons.fields.map((field, index) => (
              <SeasonFields
                key={field.id}
                index={index}
                control={form.control}
                register={form.register}
                errors={errors}
                onRemove={seasons.fields.length > 1 ? () => seasons.remove(index) : undefined}
              />
            ))}
            {seasonsError && (
              <Text c="red" size="sm" role="alert">
                {seasonsError}
              </Text>
            )}
            <Button variant="light" size="xs" onClick={() => seasons.append(emptySeason())} disabled={seasons.fields.length >= 12}>
              Add season
            </Button>
          </Stack>
        )}
        <FormError message={errors.root?.server?.message} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            Create tariff
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
