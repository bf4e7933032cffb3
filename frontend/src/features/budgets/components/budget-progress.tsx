import { Group, Progress, Stack, Text } from '@mantine/core';

type Props = { label: string; value: number; budget: number; text: (amount: number) => string; over: boolean };

/** One bar against the budget: spent so far, or projected to the month's end. */
export function BudgetProgress({ label, value, budget, text, over }: Props) {
  const share = budget > 0 ? Math.min(100, (value / budget) * 100) : 100;
  return (
    <Stack gap={4}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" c="dimmed">
          {label}
        </Text>
        <Text size="sm" fw={600} c={over ? 'red' : undefined}>
          {text(value)} of {text(budget)}
        </Text>
      </Group>
      <Progress
        value={share}
        color={over ? 'red' : share > 80 ? 'orange' : 'teal'}
        aria-label={`${label}: ${text(value)} of the ${text(budget)} budget${over ? ', over the budget' : ''}`}
      />
    </Stack>
  );
}
