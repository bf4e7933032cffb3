import { ActionIcon, Group, SegmentedControl, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { addDays, isoDate, parseIsoDate, periodSpan, shiftPeriod, type Period } from '@/lib/time';
import type { CompareKind } from '../types';

/** The comparison toggle's choices: none, the period before, the same period a year earlier, or both. */
export type CompareChoice = 'none' | 'previous' | 'year' | 'both';

export const COMPARE_CHOICES: { value: CompareChoice; label: string }[] = [
  { value: 'none', label: 'None' },
  { value: 'previous', label: 'Previous period' },
  { value: 'year', label: 'A year earlier' },
  { value: 'both', label: 'Both' },
];

/** The API's `compare` list for a choice. */
export function compareKinds(choice: CompareChoice): CompareKind[] {
  if (choice === 'both') return ['previous', 'year'];
  return choice === 'none' ? [] : [choice];
}

/** Whether a day chart asks for the forecast: the dashboard shows it for today and tomorrow. */
export function wantsForecast(period: Period, date: string, now = new Date()): boolean {
  return period === 'day' && (date === isoDate(now) || date === isoDate(addDays(now, 1)));
}

/** The state behind a chart's controls: period, date (local `YYYY-MM-DD`), comparison; and what follows from them. */
export function usePeriodControls(initial: Period = 'day') {
  const [period, setPeriod] = useState<Period>(initial);
  const [date, setDate] = useState(() => isoDate(new Date()));
  const [compare, setCompare] = useState<CompareChoice>('none');
  const day = parseIsoDate(date) ?? new Date();
  return {
    period,
    setPeriod,
    date,
    setDate,
    compare,
    setCompare,
    /** The local `[from, to)` of the period shown. */
    span: periodSpan(period, day),
    compareKinds: compareKinds(compare),
    forecast: wantsForecast(period, date),
    shift: (direction: 1 | -1) => setDate(isoDate(shiftPeriod(period, day, direction))),
  };
}
export type PeriodControlsState = ReturnType<typeof usePeriodControls>;

/** Period (day/week/month/year), previous/next, the date, and what to compare with. */
export function PeriodControls({ state }: { state: PeriodControlsState }) {
  const now = new Date();
  // A day chart may show tomorrow: its forecast, before any consumption.
  const max = isoDate(state.period === 'day' ? addDays(now, 1) : now);
  return (
    <Group justify="space-between" align="flex-end" wrap="wrap">
      <SegmentedControl
        aria-label="Chart period"
        value={state.period}
        onChange={(value) => state.setPeriod(value as Period)}
        data={[
          { value: 'day', label: 'Day' },
          { value: 'week', label: 'Week' },
          { value: 'month', label: 'Month' },
          { value: 'year', label: 'Year' },
        ]}
      />
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <ActionIcon variant="default" size="lg" aria-label="Previous period" onClick={() => state.shift(-1)}>
          ‹
        </ActionIcon>
        <TextInput
          type="date"
          label="Date"
          value={state.date}
          max={max}
          onChange={(event) => parseIsoDate(event.currentTarget.value) && state.setDate(event.currentTarget.value)}
        />
        <ActionIcon variant="default" size="lg" aria-label="Next period" onClick={() => state.shift(1)}>
          ›
        </ActionIcon>
      </Group>
      <Group gap={6} wrap="nowrap">
        <Text size="sm" c="dimmed" aria-hidden>
          Compare with
        </Text>
        <SegmentedControl
          aria-label="Compare with"
          size="xs"
          value={state.compare}
          onChange={(value) => state.setCompare(value as CompareChoice)}
          data={COMPARE_CHOICES}
        />
      </Group>
    </Group>
  );
}
