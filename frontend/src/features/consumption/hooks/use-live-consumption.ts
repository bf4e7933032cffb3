import { useQueryClient } from '@tanstack/react-query';
import { useLiveFrames } from '@/lib/live';
import { currentConsumptionKey } from '../api/get-current-consumption';
import type { CurrentConsumption } from '../types';

/**
 * Applies `consumption` frames (`{device_id, hour_start, kwh}`) to the cache: the current hour's
 * card updates in place, and open charts of that device refetch.
 */
export function useLiveConsumption(): void {
  const queryClient = useQueryClient();
  useLiveFrames(['consumption'], (frame) => {
    const { device_id: deviceId, hour_start: hourStart, kwh } = frame;
    if (typeof deviceId !== 'string' || typeof hourStart !== 'string' || typeof kwh !== 'number') return;
    queryClient.setQueryData<CurrentConsumption>(currentConsumptionKey(deviceId), (old) => {
      if (!old) return old;
      const newer = Date.parse(hourStart) >= Date.parse(old.hour_start);
      // Only the newest hour is "current"; late updates for a past hour only refresh charts.
      return newer ? { ...old, hour_start: hourStart, kwh } : old;
    });
    void queryClient.invalidateQueries({
      queryKey: ['consumption', deviceId],
      predicate: (query) => query.queryKey[2] !== 'current',
    });
  });
}
