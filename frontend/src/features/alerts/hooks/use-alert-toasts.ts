import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { createElement, useRef } from 'react';
import { useLiveFrames } from '@/lib/live';
import { formatHour, formatKwh } from '@/lib/time';
import { isUnusual, unusualAlertText } from '../alert-text';
import { UnusualToastTitle } from '../components/unusual-badge';
import { AlertSchema } from '../types';

/**
 * Shows a toast the moment an `alert` frame arrives, and refreshes alert lists. Alerts of one device
 * share one toast while it is open (a meter that catches up after an outage can cross many hours at
 * once): it counts them and shows the latest, instead of a stack of toasts over the page.
 */
export function useAlertToasts(describeDevice?: (deviceId: string) => string | undefined): void {
  const queryClient = useQueryClient();
  const open = useRef(new Map<string, number>());
  useLiveFrames(['alert'], (frame) => {
    const parsed = AlertSchema.safeParse(frame.alert);
    if (!parsed.success) return;
    const alert = parsed.data;
    const device = describeDevice?.(alert.device_id) ?? 'A device';
    if (isUnusual(alert)) {
      // Apart from the device's limit toast; a newer run (or the same run grown) replaces the open one.
      const id = `unusual-${alert.device_id}`;
      const toast = {
        id,
        color: 'orange',
        title: createElement(UnusualToastTitle),
        message: `${device}: ${unusualAlertText(alert)}.`,
        autoClose: 20_000,
        onClose: () => open.current.delete(id),
      };
      if (open.current.has(id)) notifications.update(toast);
      else notifications.show(toast);
      open.current.set(id, 1);
      void queryClient.invalidateQueries({ queryKey: ['alerts'] });
      return;
    }
    const id = `alerts-${alert.device_id}`;
    const count = (open.current.get(id) ?? 0) + 1;
    open.current.set(id, count);
    const latest = `${formatKwh(alert.kwh)} in the hour from ${formatHour(alert.hour_start)} (limit ${formatKwh(alert.max_hourly_kwh)})`;
    const toast = {
      id,
      color: 'red',
      title: 'Hourly limit exceeded',
      message: count === 1 ? `${device} used ${latest}.` : `${device}: ${count} hours over the limit; latest ${latest}.`,
      autoClose: 15_000,
      onClose: () => open.current.delete(id),
    };
    if (count === 1) notifications.show(toast);
    else notifications.update(toast);
    void queryClient.invalidateQueries({ queryKey: ['alerts'] });
  });
}
