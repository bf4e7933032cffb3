import { Group, Paper, Stack, Text, Title } from '@mantine/core';
import { browserTimeZone } from '@/lib/time';
import { useTotalConsumption } from '../api/get-total-consumption';
import { PeriodChartView } from './period-chart';
import { PeriodControls, usePeriodControls } from './period-controls';

/**
 * All of a client's devices together as one chart (a client's own, or for admins the client's `clientId`): a day, week,
 * month or year in the browser's time zone, with cost, comparisons with earlier periods and today's/tomorrow's forecast.
 */
export function TotalConsumptionPanel({ clientId }: { clientId?: string }) {
  const tz = browserTimeZone();
  const controls = usePeriodControls();
  const { period, date } = controls;
  const chart = useTotalConsumption({ clientId, period, date, tz, compare: controls.compareKinds, forecast: controls.forecast });
  const devices = chart.data?.devices;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Consumption of all devices">
      <Stack>
        <Group justify="space-between" align="baseline">
          <Title order={2} size="h4">
            Consumption of all devices
          </Title>
          {devices !== undefined && (
            <Text size="sm" c="dimmed">
              {devices === 1 ? '1 device' : `${devices} devices`} together
            </Text>
          )}
        </Group>
        <PeriodControls state={controls} />
        <Text size="xs" c="dimmed">
          Times in {tz}
        </Text>
        <PeriodChartView query={chart} />
      </Stack>
    </Paper>
  );
}
