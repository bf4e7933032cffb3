import { ActionIcon, Button, Chip, Fieldset, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { Controller, useFieldArray, type Control, type FieldErrors, type UseFormRegister } from 'react-hook-form';
import { WEEKDAYS } from '../types';
import { monthName, type TariffFormInput } from './tariff-form-schema';

const MONTHS = Array.from({ length: 12 }, (_, i) => ({ value: String(i + 1), label: monthName(i + 1) }));
const DAY_LABEL: Record<(typeof WEEKDAYS)[number], string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

type Props = {
  index: number;
  control: Control<TariffFormInput>;
  register: UseFormRegister<TariffFormInput>;
  errors: FieldErrors<TariffFormInput>;
  onRemove?: () => void;
};

/** One season: its months, the price outside its periods, and the periods of the local week. */
export function SeasonFields({ index, control, register, errors, onRemove }: Props) {
  const periods = useFieldArray({ control, name: `seasons.${index}.periods` });
  const seasonErrors = errors.seasons?.[index];
  const n = index + 1;
  return (
    <Fieldset legend={`Season ${n}`} aria-label={`Season ${n}`}>
      <Stack gap="sm">
        <Group align="flex-start" grow>
          <NativeSelect label="From month" data={MONTHS} error={seasonErrors?.from_month?.message} {...register(`seasons.${index}.from_month`)} />
          <NativeSelect label="To month" data={MONTHS} error={seasonErrors?.to_month?.message} {...register(`seasons.${index}.to_month`)} />
          <TextInput
            label="Default price per kWh"
            description="Outside the periods"
            inputMode="decimal"
            error={seasonErrors?.default_price_per_kwh?.message}
            {...register(`seasons.${index}.default_price_per_kwh`)}
          />
        </Group>
        {periods.fields.map((field, p) => {
          const periodErrors = seasonErrors?.periods?.[p];
          return (
            <Stack key={field.id} gap={6} p="xs" style={{ border: '1px dashed var(--mantine-color-gray-4)', borderRadius: 8 }} role="group" aria-label={`Season ${n} period ${p + 1}`}>
              <Controller
                control={control}
                name={`seasons.${index}.periods.${p}.days`}
                render={({ field: days }) => (
                  <Chip.Group multiple value={days.value} onChange={days.onChange}>
                    <Group gap={4}>
                      {WEEKDAYS.map((day) => (
                        <Chip key={day} value={day} size="xs">
                          {DAY_LABEL[day]}
                        </Chip>
                      ))}
                    </Group>
                  </Chip.Group>
                )}
              />
              {periodErrors?.days?.message && (
                <Text c="red" size="xs">
                  {periodErrors.days.message}
                </Text>
              )}
              <Group align="flex-start" grow>
                <TextInput label="From" placeholder="HH:MM" error={periodErrors?.from?.message} {...register(`seasons.${index}.periods.${p}.from`)} />
                <TextInput label="To" placeholder="HH:MM" error={periodErrors?.to?.message} {...register(`seasons.${index}.periods.${p}.to`)} />
                <TextInput
                  label="Price per kWh"
                  inputMode="decimal"
                  error={periodErrors?.price_per_kwh?.message}
                  {...register(`seasons.${index}.periods.${p}.price_per_kwh`)}
                />
              </Group>
              <Group justify="flex-end">
                <Button variant="subtle" color="red" size="compact-xs" onClick={() => periods.remove(p)}>
                  Remove period {p + 1}
                </Button>
              </Group>
            </Stack>
          );
        })}
        <Group justify="space-between">
          <Button
            variant="light"
            size="xs"
            onClick={() => periods.append({ days: ['sat', 'sun'], from: '00:00', to: '24:00', price_per_kwh: '' })}
          >
            Add period
          </Button>
          {onRemove && (
            <ActionIcon variant="subtle" color="red" aria-label={`Remove season ${n}`} onClick={onRemove}>
              ✕
            </ActionIcon>
          )}
        </Group>
      </Stack>
    </Fieldset>
  );
}
