import { Anchor, Tabs } from '@mantine/core';
import { Link } from 'react-router';
import { AlertsTable } from '@/features/alerts/components/alerts-table';
import { BudgetAlertsTable } from '@/features/alerts/components/budget-alerts-table';
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

/** Clients see their alerts; admins see every alert. Device alerts (hourly limit, unusual consumption) and budgets on two tabs. */
export function AlertsRoute() {
  const user = useUser();
  const admin = user.role === 'admin';
  return (
    <Tabs defaultValue="limits" keepMounted={false}>
      <Tabs.List mb="md">
        <Tabs.Tab value="limits">Limits and unusual</Tabs.Tab>
        <Tabs.Tab value="budget">Budget</Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="limits">
        <AlertsTable title={admin ? 'All alerts' : 'Alerts'} renderDevice={(alert) => <DeviceName deviceId={alert.device_id} />} />
      </Tabs.Panel>
      <Tabs.Panel value="budget">
        <BudgetAlertsTable title={admin ? 'All budget alerts' : 'Budget alerts'} showClient={admin} />
      </Tabs.Panel>
    </Tabs>
  );
}
