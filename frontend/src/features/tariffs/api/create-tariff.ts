import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { TariffSchema, type TariffKind, type Weekday } from '../types';

/** The body of `POST /api/tariffs`: prices as exact decimal strings. */
export type CreateTariffInput = {
  name: string;
  kind: TariffKind;
  currency: string;
  tz: string;
  standing_charge_per_day: string;
  price_per_kwh?: string;
  seasons?: {
    months: [number, number];
    default_price_per_kwh: string;
    periods: { days: Weekday[]; from: string; to: string; price_per_kwh: string }[];
  }[];
  slot_minutes?: number;
};

/** `POST /api/tariffs` (admin). */
export function createTariff(input: CreateTariffInput) {
  return api.post('/api/tariffs', TariffSchema, { body: input });
}

export function useCreateTariff() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTariff,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tariffs'] }),
  });
}
