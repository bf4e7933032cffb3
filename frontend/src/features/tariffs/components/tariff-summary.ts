import type { Tariff } from '../types';

const KIND_LABEL = { flat: 'Flat', time_of_use: 'Time of use', dynamic: 'Dynamic' } as const;

export const kindLabel = (tariff: Pick<Tariff, 'kind'>) => KIND_LABEL[tariff.kind];

/** One line about a tariff's prices for the table: `0.2534 EUR/kWh`, `2 seasons, 3 periods`, `60-minute slots`. */
export function priceSummary(tariff: Tariff): string {
  if (tariff.kind === 'flat') return `${tariff.price_per_kwh ?? '?'} ${tariff.currency}/kWh`;
  if (tariff.kind === 'dynamic') return `${tariff.slot_minutes ?? 60}-minute slots (uploaded)`;
  const seasons = tariff.seasons ?? [];
  const periods = seasons.reduce((sum, season) => sum + season.periods.length, 0);
  return `${seasons.length} season${seasons.length === 1 ? '' : 's'}, ${periods} period${periods === 1 ? '' : 's'}`;
}
