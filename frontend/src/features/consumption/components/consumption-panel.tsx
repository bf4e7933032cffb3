import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import { describeError } from '@/lib/api-error';
import { browserTimeZone, isoDate } from '@/lib/time';
import { useDownloadRangeCsv } from '../api/download-range-csv';
import { usePeriodConsumption } from '../api/get-period-consumption';
import { PeriodChartView } from './period-chart';
import { PeriodControls, usePeriodControls } from './period-controls';

/**
 * A device's charts: a day by hour, a week or month by day, a year by month, in the browser's time zone; compared
 * with earlier periods on request, today's and tomorrow's forecast, the hourly limit on a day, and CSV export.
 * `maxHourlyKwh` is the device's limit, drawn on day charts when the answer does not name it.
 */
export function ConsumptionPanel({ deviceId, deviceName, maxHourlyKwh }: { deviceId: string; deviceName: string; maxHourlyKwh?: number }) {
  const tz = browserTimeZone();
  const controls = usePeriodControls();
  const { period, date, span } = controls;
  const chart = usePeriodConsumption({ deviceId, period, date, tz, compare: controls.compareKinds, forecast: controls.forecast });
  const csv = useDownloadRangeCsv();
  const from = span.from.toISOString();
  const to = span.to.toISOString();

  return (
    <Paper withBorder p="md" radius="md">
      <Stack>
        <PeriodControls state={controls} />
        <Text size="xs" c="dimmed">
          Times in {tz}
        </Text>
        <PeriodChartView query={chart} limit={maxHourlyKwh} />
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
