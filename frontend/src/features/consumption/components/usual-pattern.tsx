import { Alert, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { ErrorState } from '@/components/ui/states';
import { browserTimeZone, formatDateTime, formatKwh, parseIsoDate } from '@/lib/time';
import { useDeviceInsight } from '../api/get-device-insight';

const weeks = (n: number) => (n === 1 ? '1 week' : `${n} weeks`);

/**
 * A device's usual pattern (its baseline, docs/insight.md): while it is still learning, how much history it has and
 * needs; once ready, the unusual-consumption settings in force and tomorrow's forecast.
 */
export function UsualPatternPanel({ deviceId }: { deviceId: string }) {
  const insight = useDeviceInsight({ deviceId, tz: browserTimeZone() });
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Usual pattern" maw={720}>
      <Stack gap="sm">
        <Title order={2} size="h4">
          Usual pattern
        </Title>
        {insight.isPending ? (
          <Skeleton height={48} aria-label="Loading the usual pattern" />
        ) : insight.isError ? (
          <ErrorState error={insight.error} onRetry={() => insight.refetch()} />
        ) : !insight.data.ready ? (
          <Alert color="yellow" variant="light" data-testid="insight-learning">
            Too little history for unusual-consumption alerts: {insight.data.weeks_of_history} of {weeks(insight.data.min_weeks)}. The
            usual week is learned from the last {weeks(insight.data.weeks)}; until then only the hourly limit raises alerts.
          </Alert>
        ) : (
          <>
            <Text size="sm">
              Unusual-consumption alerts are on: raised when {insight.data.sustain_hours === 1 ? 'an hour departs' : `${insight.data.sustain_hours} hours in a row depart`}{' '}
              from the usual week by more than {insight.data.sensitivity.toLocaleString()} × its usual spread.
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Stack gap={0} role="group" aria-label="Sensitivity">
                <Text size="sm" c="dimmed">
                  Sensitivity
                </Text>
                <Text fw={700}>{insight.data.sensitivity.toLocaleString()}</Text>
              </Stack>
              <Stack gap={0} role="group" aria-label="Sustained hours">
                <Text size="sm" c="dimmed">
                  Sustained hours
                </Text>
                <Text fw={700}>{insight.data.sustain_hours} h</Text>
              </Stack>
              <Stack gap={0} role="group" aria-label="Tomorrow's forecast">
                <Text size="sm" c="dimmed">
                  Tomorrow&apos;s forecast
                  {insight.data.tomorrow &&
                    ` (${(parseIsoDate(insight.data.tomorrow.date) ?? new Date(insight.data.tomorrow.date)).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })})`}
                </Text>
                <Text fw={700}>{insight.data.tomorrow ? formatKwh(insight.data.tomorrow.kwh_total) : '—'}</Text>
              </Stack>
            </SimpleGrid>
            <Text size="xs" c="dimmed">
              Learned from {weeks(insight.data.weeks_of_history)} of history
              {insight.data.learned_at && ` up to ${formatDateTime(insight.data.learned_at)}`}.
            </Text>
          </>
        )}
      </Stack>
    </Paper>
  );
}
