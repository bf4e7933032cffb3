import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { AppLayout, type NavItem } from '@/components/layout/app-layout';
import { useAlertToasts } from '@/features/alerts/hooks/use-alert-toasts';
import { useBudgetAlertToasts } from '@/features/alerts/hooks/use-budget-alert-toasts';
import { useLogout } from '@/features/auth/api/logout';
import { useLiveConsumption } from '@/features/consumption/hooks/use-live-consumption';
import type { Device } from '@/features/devices/types';
import { useUser } from '@/lib/auth';
import { useLiveStatus } from '@/lib/live';

const CLIENT_NAV: NavItem[] = [
  { to: '/devices', label: 'My devices' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/chat', label: 'Support chat' },
  { to: '/account', label: 'Account' },
];

const ADMIN_NAV: NavItem[] = [
  { to: '/admin/users', label: 'Users' },
  { to: '/admin/devices', label: 'Devices' },
  { to: '/admin/tariffs', label: 'Tariffs' },
  { to: '/alerts', label: 'All alerts' },
  { to: '/admin/inbox', label: 'Support inbox' },
  { to: '/account', label: 'Account' },
];

/** The signed-in shell: navigation by role, live toasts and live consumption for every page. */
export function AppRoot() {
  const user = useUser();
  const live = useLiveStatus();
  const logout = useLogout();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  // Name the device in a toast when any loaded list knows it.
  useAlertToasts((deviceId) => {
    for (const [, data] of queryClient.getQueriesData<{ items?: Device[] } | Device>({ queryKey: ['devices'] })) {
      if (data && 'items' in data) {
        const device = data.items?.find((item) => item.id === deviceId);
        if (device) return device.name;
      } else if (data && 'id' in data && data.id === deviceId) {
        return data.name;
      }
    }
    return undefined;
  });
  useBudgetAlertToasts(user.role === 'admin');
  useLiveConsumption();

  return (
    <AppLayout
      nav={user.role === 'admin' ? ADMIN_NAV : CLIENT_NAV}
      userName={user.full_name}
      roleLabel={user.role === 'admin' ? 'Admin' : 'Client'}
      live={live}
      onSignOut={() => logout.mutate(undefined, { onSettled: () => navigate('/sign-in', { replace: true }) })}
    />
  );
}
