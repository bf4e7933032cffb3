import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { FormError } from '@/components/ui/form-error';
import { applyApiError } from '@/lib/form-errors';
import { browserTimeZone } from '@/lib/time';
import { positiveDecimalRule } from '@/lib/validation';
import { useSetBudget } from '../api/set-budget';
import { BUDGET_KINDS, type Budget } from '../types';

const BudgetFormSchema = z.object({
  kind: z.enum(BUDGET_KINDS),
  amount: positiveDecimalRule('Enter an amount such as 120 or 0.5.'),
});
type BudgetValues = z.infer<typeof BudgetFormSchema>;

/** Sets a client's monthly budget, in money (the tariff's currency) or kWh; a new budget's months are the browser's zone's. */
export function BudgetForm({ clientId, budget, currency, onDone }: { clientId: string; budget: Budget | null; currency?: string | null; onDone: () => void }) {
  const save = useSetBudget();
  const form = useForm<BudgetValues>({
    resolver: zodResolver(BudgetFormSchema),
    defaultValues: { kind: budget?.kind ?? 'money', amount: budget ? String(budget.amount) : '' },
  });
  const { errors, isSubmitting } = form.formState;
  const kind = useWatch({ control: form.control, name: 'kind' });
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      // A budget keeps the zone of its months; a new one takes the browser's.
      await save.mutateAsync({ clientId, ...values, tz: budget?.tz ?? browserTimeZone() });
      onDone();
    } catch (error) {
      applyApiError(error, form.setError, ['kind', 'amount']);
    }
  });
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Set the monthly budget">
      <Stack gap="sm">
        <Controller
          control={form.control}
          name="kind"
          render={({ field }) => (
            <SegmentedControl
              aria-label="Budget unit"
              value={field.value}
              onChange={field.onChange}
              data={[
                { value: 'money', label: currency ? `Money (${currency})` : 'Money' },
                { value: 'kwh', label: 'kWh' },
              ]}
            />
          )}
        />
        <TextInput
          label={kind === 'money' ? `Budget amount${currency ? ` (${currency})` : ''}` : 'Budget amount (kWh)'}
          inputMode="decimal"
          data-autofocus
          error={errors.amount?.message}
          {...form.register('amount')}
        />
        {kind === 'money' && !currency && (
          <Text size="xs" c="dimmed">
            No tariff is assigned yet, so spending in money shows once one is.
          </Text>
        )}
        <FormError message={errors.root?.server?.message} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            Save budget
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
