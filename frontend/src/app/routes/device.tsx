import { Anchor, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { ConsumptionPanel } from '@/features/consumption/components/consumption-panel';
import { CurrentConsumption } from '@/features/consumption/components/current-consumption';
import { UsualPatternPanel } from '@/features/consumption/components/usual-pattern';
import { useDevice } from '@/features/devices/api/get-device';
import { MeterConnection } from '@/features/devices/components/meter-connection';
import { MeterEvents } from '@/features/devices/components/meter-events';
import { TariffAssignmentPanel } from '@/features/tariffs/components/tariff-assignment-panel';
import { useUser } from '@/lib/auth';

/**
 * One device: the live current hour, its charts, its usual pattern and when its meter last reported (clients: their own; admins: any,
 * with its meter format, credential and tariff override).
 */
export function DeviceRoute() {
  const { deviceId = '' } = useParams();
  const user = useUser();
  const device = useDevice(deviceId);
  const back = user.role === 'admin' ? '/admin/devices' : '/devices';

  return (
    <Stack>
      <Anchor component={Link} to={back} size="sm">
        ← Back to devices
      </Anchor>
      {device.isPending ? (
        <LoadingState label="Loading the device…" />
      ) : device.isError ? (
        <ErrorState error={device.error} onRetry={() => device.refetch()} />
      ) : (
        <>
          <Group justify="space-between" align="flex-end">
            <div>
              <Title order={1} size="h2">
                {device.data.name}
              </Title>
              {device.data.address && <Text c="dimmed">{device.data.address}</Text>}
            </div>
          </Group>
          <Paper withBorder p="md" radius="md" maw={520}>
            <CurrentConsumption deviceId={device.data.id} />
          </Paper>
          <ConsumptionPanel deviceId={device.data.id} deviceName={device.data.name} maxHourlyKwh={device.data.max_hourly_kwh} />
          <UsualPatternPanel deviceId={device.data.id} />
          <MeterEvents deviceId={device.data.id} />
          <MeterConnection key={device.data.id} device={device.data} manage={user.role === 'admin'} />
          {user.role === 'admin' && (
            <TariffAssignmentPanel target={{ deviceId: device.data.id }} title="Device tariff override" />
          )}
        </>
      )}
    </Stack>
  );
}
