import { Anchor } from '@mantine/core';
import { Link } from 'react-router';
import { AlertsTable } from '@/features/alerts/components/alerts-table';
import { useDevice } from '@/features/devices/api/get-device';
import { useUser } from '@/lib/auth';

function DeviceName({ deviceId }: { deviceId: string }) {
  const device = useDevice(deviceId);
  return (
    <Anchor component={Link} to={`/devices/${deviceId}`} size="sm">
      {device.data?.name ?? deviceId.slice(0, 8)}
    </Anchor>
  );
}

/** Clients see their alerts; admins see every alert. */
export function AlertsRoute() {
  const user = useUser();
  return (
    <AlertsTable
      title={user.role === 'admin' ? 'All alerts' : 'Alerts'}
      renderDevice={(alert) => <DeviceName deviceId={alert.device_id} />}
    />
  );
}
