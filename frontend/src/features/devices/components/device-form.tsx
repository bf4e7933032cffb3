import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Fieldset, Group, NumberInput, Stack, TextInput } from '@mantine/core';
import { Controller, useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormError } from '@/components/ui/form-error';
import { applyApiError } from '@/lib/form-errors';
import { addressRule, nameRule } from '@/lib/validation';
import { useCreateDevice } from '../api/create-device';
import { useUpdateDevice } from '../api/update-device';
import type { Device } from '../types';

const emptyToUndefined = (value: unknown) => (value === '' || value === undefined || value === null ? undefined : Number(value));

const DeviceFormSchema = z.object({
  name: nameRule,
  address: addressRule,
  // The input holds text while typing ("1."); the schema turns it into a number.
  max_hourly_kwh: z.preprocess(
    (value) => (value === '' || value === undefined ? undefined : Number(value)),
    z
      .number({ error: 'Enter the hourly limit in kWh.' })
      .positive('The limit must be above 0.')
      .max(1_000_000, 'That limit is not plausible.'),
  ),
  // Optional: empty means the default of the reading policy.
  max_power_kw: z.preprocess(
    (value) => (value === '' || value === undefined || value === null ? undefined : Number(value)),
    z
      .number({ error: 'Enter the power in kW, or leave it empty.' })
      .positive('The power must be above 0.')
      .max(1_000_000, 'That power is not plausible.')
      .optional(),
  ),
  // Unusual-consumption alerts (editing only); empty: the default (3.0 and 3), the same bounds as the API.
  unusual_sensitivity: z.preprocess(
    emptyToUndefined,
    z
      .number({ error: 'Enter a sensitivity from 1 to 10, or leave it empty.' })
      .min(1, 'The sensitivity must be from 1 to 10.')
      .max(10, 'The sensitivity must be from 1 to 10.')
      .optional(),
  ),
  unusual_sustain_hours: z.preprocess(
    emptyToUndefined,
    z
      .number({ error: 'Enter 1 to 24 hours, or leave it empty.' })
      .int('Whole hours only.')
      .min(1, 'From 1 to 24 hours.')
      .max(24, 'From 1 to 24 hours.')
      .optional(),
  ),
});
type DeviceInput = z.input<typeof DeviceFormSchema>;
type DeviceValues = z.output<typeof DeviceFormSchema>;
const FIELDS = ['name', 'address', 'max_hourly_kwh', 'max_power_kw', 'unusual_sensitivity', 'unusual_sustain_hours'] as const;

/** The unusual-alert settings that changed, as the PATCH takes them (null: back to the default). */
function unusualChanges(device: Device, values: Pick<DeviceValues, 'unusual_sensitivity' | 'unusual_sustain_hours'>) {
  const changes: { unusual_sensitivity?: number | null; unusual_sustain_hours?: number | null } = {};
  for (const field of ['unusual_sensitivity', 'unusual_sustain_hours'] as const) {
    const value = values[field] ?? null;
    if (value !== (device[field] ?? null)) changes[field] = value;
  }
  return changes;
}

/** Creates a device, or edits `device` when given. */
export function DeviceForm({ device, onDone }: { device?: Device; onDone: () => void }) {
  const create = useCreateDevice();
  const update = useUpdateDevice();
  const form = useForm<DeviceInput, unknown, DeviceValues>({
    resolver: zodResolver(DeviceFormSchema),
    defaultValues: {
      name: device?.name ?? '',
      address: device?.address ?? '',
      max_hourly_kwh: device?.max_hourly_kwh ?? '',
      max_power_kw: device?.max_power_kw ?? '',
      unusual_sensitivity: device?.unusual_sensitivity ?? '',
      unusual_sustain_hours: device?.unusual_sustain_hours ?? '',
    },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async ({ address, max_power_kw, unusual_sensitivity, unusual_sustain_hours, ...values }) => {
    try {
      if (device) {
        const changes = {
          ...values,
          address: address || null,
          max_power_kw: max_power_kw ?? null,
          // Sent only when changed, so saving a name does not touch them.
          ...unusualChanges(device, { unusual_sensitivity, unusual_sustain_hours }),
        };
        await update.mutateAsync({ id: device.id, changes });
      } else {
        const power = max_power_kw === undefined ? {} : { max_power_kw };
        await create.mutateAsync({ ...values, ...power, address: address || undefined });
      }
      onDone();
    } catch (error) {
      applyApiError(error, form.setError, FIELDS, 'name');
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-label={device ? 'Edit device' : 'New device'}>
      <Stack>
        <TextInput label="Name" data-autofocus error={errors.name?.message} {...form.register('name')} />
        <TextInput label="Address" error={errors.address?.message} {...form.register('address')} />
        <Controller
          control={form.control}
          name="max_hourly_kwh"
          render={({ field }) => (
            <NumberInput
              label="Hourly limit (kWh)"
              description="An alert is raised when an hour's consumption exceeds it."
              min={0}
              decimalScale={3}
              step={0.1}
              value={field.value as number | string}
              onChange={field.onChange}
              onBlur={field.onBlur}
              name={field.name}
              error={errors.max_hourly_kwh?.message}
            />
          )}
        />
        <Controller
          control={form.control}
          name="max_power_kw"
          render={({ field }) => (
            <NumberInput
              label="Plausible maximum power (kW)"
              description="Readings implying more are refused as faulty. Empty: four times the hourly limit, at least 50 kW."
              min={0}
              decimalScale={3}
              step={1}
              value={field.value as number | string}
              onChange={field.onChange}
              onBlur={field.onBlur}
              name={field.name}
              error={errors.max_power_kw?.message}
            />
          )}
        />
        {device && (
          <Fieldset legend="Unusual-consumption alerts" variant="unstyled">
            <Group grow align="flex-start">
              <Controller
                control={form.control}
                name="unusual_sensitivity"
                render={({ field }) => (
                  <NumberInput
                    label="Sensitivity (1–10)"
                    description="How far from the usual week an hour must be; higher is calmer. Empty: 3."
                    min={1}
                    max={10}
                    step={0.5}
                    decimalScale={2}
                    clampBehavior="none"
                    value={field.value as number | string}
                    onChange={field.onChange}
                    onBlur={field.onBlur}
                    name={field.name}
                    error={errors.unusual_sensitivity?.message}
                  />
                )}
              />
              <Controller
                control={form.control}
                name="unusual_sustain_hours"
                render={({ field }) => (
                  <NumberInput
                    label="Hours in a row (1–24)"
                    description="Unusual hours in a row before an alert. Empty: 3."
                    min={1}
                    max={24}
                    step={1}
                    allowDecimal={false}
                    clampBehavior="none"
                    value={field.value as number | string}
                    onChange={field.onChange}
                    onBlur={field.onBlur}
                    name={field.name}
                    error={errors.unusual_sustain_hours?.message}
                  />
                )}
              />
            </Group>
          </Fieldset>
        )}
        <FormError message={errors.root?.server?.message} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            {device ? 'Save' : 'Create device'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
