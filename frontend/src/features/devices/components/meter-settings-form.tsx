import { zodResolver } from '@hookform/resolvers/zod';
import { Autocomplete, Button, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormError } from '@/components/ui/form-error';
import { applyApiError } from '@/lib/form-errors';
import { timeZoneRule } from '@/lib/validation';
import { useUpdateDevice } from '../api/update-device';
import { METER_FORMATS, type Device, type MeterFormat } from '../types';

const DETECT = '';

const MeterSettingsSchema = z.object({
  meter_format: z.string(),
  time_zone: z
    .string()
    .trim()
    .refine((tz) => tz === '' || timeZoneRule.safeParse(tz).success, 'Not a known time zone (IANA name such as Europe/Berlin).'),
});
type MeterSettings = z.infer<typeof MeterSettingsSchema>;
const FIELDS = ['meter_format', 'time_zone'] as const;

const TIME_ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

const valuesOf = (device: Device): MeterSettings => ({ meter_format: device.meter_format ?? DETECT, time_zone: device.time_zone ?? '' });

/** The meter format and time zone of a device (admin), saved with `PATCH /api/devices/{id}`. */
export function MeterSettingsForm({ device }: { device: Device }) {
  const update = useUpdateDevice();
  const [saved, setSaved] = useState(false);
  const form = useForm<MeterSettings>({ resolver: zodResolver(MeterSettingsSchema), defaultValues: valuesOf(device) });
  const { errors, isSubmitting, isDirty } = form.formState;

  const known = METER_FORMATS.some((format) => format.value === device.meter_format);
  const options = [
    { value: DETECT, label: "Detect from topic (else iems' own JSON)" },
    ...METER_FORMATS.map(({ value, label }) => ({ value, label })),
    // A format this dashboard does not know yet stays selectable, so saving does not change it.
    ...(device.meter_format && !known ? [{ value: device.meter_format, label: device.meter_format }] : []),
  ];

  const onSubmit = form.handleSubmit(async ({ meter_format, time_zone }) => {
    setSaved(false);
    try {
      const changes = { meter_format: (meter_format || null) as MeterFormat | null, time_zone: time_zone || null };
      const updated = await update.mutateAsync({ id: device.id, changes });
      form.reset(valuesOf(updated));
      setSaved(true);
    } catch (error) {
      applyApiError(error, form.setError, FIELDS);
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Meter format and time zone">
      <Stack gap="sm">
        <Group align="flex-start" wrap="wrap">
          <NativeSelect
            label="Meter format"
            description="How its MQTT messages and HTTP bodies are read."
            data={options}
            error={errors.meter_format?.message}
            miw={260}
            {...form.register('meter_format', { onChange: () => setSaved(false) })}
          />
          <Controller
            control={form.control}
            name="time_zone"
            render={({ field }) => (
              <Autocomplete
                label="Time zone"
                description="Places Tasmota's Time, which has no offset. Empty: none."
                placeholder="Europe/Berlin"
                data={TIME_ZONES}
                limit={8}
                value={field.value}
                onChange={(value) => {
                  setSaved(false);
                  field.onChange(value);
                }}
                onBlur={field.onBlur}
                name={field.name}
                error={errors.time_zone?.message}
                miw={260}
              />
            )}
          />
        </Group>
        <FormError message={errors.root?.server?.message} />
        <Group gap="sm">
          <Button type="submit" loading={isSubmitting} disabled={!isDirty}>
            Save meter settings
          </Button>
          {saved && (
            <Text size="sm" c="teal" role="status">
              Saved.
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}
