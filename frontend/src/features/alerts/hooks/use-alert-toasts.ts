import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useLiveFrames } from '@/lib/live';
import { formatHour, formatKwh } from '@/lib/time';
import { AlertSchema } from '../types';

/** Shows a toast the moment an `alert` frame arrives, and refreshes alert lists. */
export function useAlertToasts(describeDevice?: (deviceId: string) => string | undefined): void {
  const queryClient = useQueryClient();
  useLiveFrames(['alert'], (frame) => {
    const parsed = AlertSchema.safeParse(frame.alert);
    if (!parsed.success) return;
    const alert = parsed.data;
    const device = describeDevice?.(alert.device_id) ?? 'A device';
    notifications.show({
      id: `alert-${alert.id}`,
      color: 'red',
      title: 'Hourly limit exceeded',
      message: `${device} used ${formatKwh(alert.kwh)} in the hour from ${formatHour(alert.hour_start)} (limit ${formatKwh(alert.max_hourly_kwh)}).`,
      autoClose: 15_000,
    });
    void queryClient.invalidateQueries({ queryKey: ['alerts'] });
  });
}
