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
    const old = queryClient.getQueryData<CurrentConsumption>(currentConsumptionKey(deviceId));
    const same = old !== undefined && Date.parse(hourStart) === Date.parse(old.hour_start);
    const newer = old !== undefined && Date.parse(hourStart) > Date.parse(old.hour_start);
    // Only the newest hour is "current"; late updates for a past hour only refresh charts.
    if (old && (same || newer)) {
      // Within the hour the cost follows the energy at the hour's price so far; a new hour's
      // price is not known here, so its cost comes with one refetch of the card.
      const price = same ? old.price_per_kwh : null;
      const cost = price == null ? null : kwh * price;
      queryClient.setQueryData<CurrentConsumption>(currentConsumptionKey(deviceId), { ...old, hour_start: hourStart, kwh, cost, price_per_kwh: price });
      if (newer && old.currency) void queryClient.invalidateQueries({ queryKey: currentConsumptionKey(deviceId) });
    }
    void queryClient.invalidateQueries({
      queryKey: ['consumption', deviceId],
      predicate: (query) => query.queryKey[2] !== 'current',
    });
  });
}
