import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { describeError } from '@/lib/api-error';
import { formatAmount } from '@/lib/money';
import { browserTimeZone, formatKwh } from '@/lib/time';
import { useDeleteBudget } from '../api/delete-budget';
import { useBudget } from '../api/get-budget';
import { useBudgetStatus } from '../api/get-budget-status';
import type { BudgetStatus } from '../types';
import { BudgetForm } from './budget-form';
import { BudgetProgress } from './budget-progress';

function StatusView({ status }: { status: BudgetStatus }) {
  const { kind, amount } = status.budget;
  const text = (value: number) => formatAmount(value, kind, status.currency);
  const pick = (part: BudgetStatus['spent']) => (kind === 'money' ? part.cost : part.kwh);
  const spent = pick(status.spent);
  const projected = pick(status.projected);
  if (spent == null || projected == null) {
    return (
      <Text size="sm" c="dimmed">
        No tariff is assigned, so spending in money cannot be shown yet ({formatKwh(status.spent.kwh)} used this month).
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      <Group gap="xs">
        {status.spent_over && (
          <Badge color="red" variant="filled">
            Budget spent
          </Badge>
        )}
        {status.projected_over && !status.spent_over && (
          <Badge color="orange" variant="filled">
            Projected over budget
          </Badge>
        )}
        {!status.spent_over && !status.projected_over && (
          <Badge color="teal" variant="light">
            On track
          </Badge>
        )}
      </Group>
      <BudgetProgress label="Spent so far" value={spent} budget={amount} text={text} over={status.spent_over} />
      <BudgetProgress label="Projected by month end" value={projected} budget={amount} text={text} over={status.projected_over} />
      {kind === 'money' && status.unpriced_kwh > 0 && (
        <Text size="xs" c="orange">
          {formatKwh(status.unpriced_kwh)} without a price is not counted.
        </Text>
      )}
      <Text size="xs" c="dimmed" data-testid="budget-method">
        Projection: {status.method}.
      </Text>
    </Stack>
  );
}

/** A client's monthly budget: set, change or remove it; spent and projected against it (client home, admin's client page). */
export function BudgetPanel({ clientId }: { clientId: string }) {
  const tz = browserTimeZone();
  const budget = useBudget(clientId);
  const status = useBudgetStatus(clientId, tz, Boolean(budget.data));
  const remove = useDeleteBudget();
  const [editing, setEditing] = useState(false);

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Monthly budget">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h4">
            Monthly budget
          </Title>
          {budget.data && !editing && (
            <Group gap="xs">
              <Button size="xs" variant="light" onClick={() => setEditing(true)}>
                Change budget
              </Button>
              <Button size="xs" variant="subtle" color="red" loading={remove.isPending} onClick={() => remove.mutate(clientId)}>
                Remove budget
              </Button>
            </Group>
          )}
        </Group>
        {budget.isPending ? (
          <LoadingState label="Loading the budget…" />
        ) : budget.isError ? (
          <ErrorState error={budget.error} onRetry={() => budget.refetch()} />
        ) : editing ? (
          <BudgetForm clientId={clientId} budget={budget.data} currency={budget.data?.currency ?? status.data?.currency} onDone={() => setEditing(false)} />
        ) : !budget.data ? (
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              No monthly budget set.
            </Text>
            <Button size="xs" onClick={() => setEditing(true)}>
              Set a budget
            </Button>
          </Group>
        ) : status.isPending ? (
          <LoadingState label="Loading this month…" />
        ) : status.isError ? (
          <ErrorState error={status.error} onRetry={() => status.refetch()} />
        ) : (
          <StatusView status={status.data} />
        )}
        {remove.isError && (
          <Text c="red" size="sm" role="alert">
            {describeError(remove.error)}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
