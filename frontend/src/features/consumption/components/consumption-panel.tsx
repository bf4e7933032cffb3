import { ActionIcon, Button, Group, Paper, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { describeError } from '@/lib/api-error';
import { addDays, browserTimeZone, isoDate, parseIsoDate, rangeFor, type RangeView } from '@/lib/time';
import { useDownloadRangeCsv } from '../api/download-range-csv';
import { useDayConsumption } from '../api/get-day-consumption';
import { useRangeConsumption } from '../api/get-range-consumption';
import { DayChart } from './day-chart';
import { RangeChart } from './range-chart';

type View = 'day' | RangeView;

function DayView({ deviceId, date, tz }: { deviceId: string; date: string; tz: string }) {
  const day = useDayConsumption({ deviceId, date, tz });
  if (day.isPending) return <LoadingState label="Loading the day…" />;
  if (day.isError) return <ErrorState error={day.error} onRetry={() => day.refetch()} />;
  if (day.data.hours.every((hour) => hour.kwh === 0)) {
    return (
      <>
        <DayChart day={day.data} />
        <Text c="dimmed" size="sm" ta="center">
          No consumption recorded on this day yet.
        </Text>
      </>
    );
  }
  return <DayChart day={day.data} />;
}

function PeriodView({ deviceId, from, to, tz, caption }: { deviceId: string; from: string; to: string; tz: string; caption: string }) {
  const range = useRangeConsumption({ deviceId, from, to, bucket: 'day', tz });
  if (range.isPending) return <LoadingState label="Loading the period…" />;
  if (range.isError) return <ErrorState error={range.error} onRetry={() => range.refetch()} />;
  if (range.data.buckets.length === 0) return <EmptyState title="No consumption in this period" />;
  return <RangeChart range={range.data} caption={caption} />;
}

/** A device's charts: a day by hour, or a week or month by day, in the browser's time zone, with CSV export. */
export function ConsumptionPanel({ deviceId, deviceName }: { deviceId: string; deviceName: string }) {
  const tz = browserTimeZone();
  const [view, setView] = useState<View>('day');
  const [date, setDate] = useState(() => isoDate(new Date()));
  const csv = useDownloadRangeCsv();
  const day = parseIsoDate(date) ?? new Date();
  const step = view === 'day' ? 1 : view === 'week' ? 7 : 0;
  const shift = (direction: 1 | -1) =>
    setDate(isoDate(step ? addDays(day, direction * step) : new Date(day.getFullYear(), day.getMonth() + direction, 1)));

  const span = view === 'day' ? { from: day, to: addDays(day, 1) } : rangeFor(view, day);
  const from = span.from.toISOString();
  const to = span.to.toISOString();
  const caption =
    view === 'week'
      ? `Consumption per day, ${isoDate(span.from)} to ${isoDate(addDays(span.to, -1))}`
      : `Consumption per day in ${day.toLocaleDateString(undefined, { month: 'long', year: 'numeric' })}`;

  return (
    <Paper withBorder p="md" radius="md">
      <Stack>
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <SegmentedControl
            aria-label="Chart period"
            value={view}
            onChange={(value) => setView(value as View)}
            data={[
              { value: 'day', label: 'Day' },
              { value: 'week', label: 'Week' },
              { value: 'month', label: 'Month' },
            ]}
          />
          <Group gap="xs" align="flex-end" wrap="nowrap">
            <ActionIcon variant="default" size="lg" aria-label="Previous period" onClick={() => shift(-1)}>
              ‹
            </ActionIcon>
            <TextInput
              type="date"
              label="Date"
              value={date}
              max={isoDate(new Date())}
              onChange={(event) => parseIsoDate(event.currentTarget.value) && setDate(event.currentTarget.value)}
            />
            <ActionIcon variant="default" size="lg" aria-label="Next period" onClick={() => shift(1)}>
              ›
            </ActionIcon>
          </Group>
        </Group>
        <Text size="xs" c="dimmed">
          Times in {tz}
        </Text>
        {view === 'day' ? (
          <DayView deviceId={deviceId} date={date} tz={tz} />
        ) : (
          <PeriodView deviceId={deviceId} from={from} to={to} tz={tz} caption={caption} />
        )}
        <Group justify="flex-end">
          {csv.isError && (
            <Text c="red" size="sm" role="alert">
              {describeError(csv.error)}
            </Text>
          )}
          <Button
            variant="light"
            loading={csv.isPending}
            onClick={() =>
              csv.mutate({ deviceId, from, to, tz, filename: `${deviceName.replace(/[^\w.-]+/g, '_')}-${isoDate(span.from)}.csv` })
            }
          >
            Download CSV
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
