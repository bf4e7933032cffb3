import { z } from 'zod';

/** A meter as the API returns it. */
export const DeviceSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string().nullish(),
  max_hourly_kwh: z.number(),
  /** Readings implying more power are refused; null: the default (4 × the hourly limit, at least 50 kW). */
  max_power_kw: z.number().nullish(),
  owner_id: z.string().nullish(),
  created_at: z.string(),
});
export type Device = z.infer<typeof DeviceSchema>;

/** A step between two readings the reading policy booked specially (`GET /api/devices/{id}/events`). */
export const MeterEventSchema = z.object({
  kind: z.enum(['reset', 'gap']),
  from: z.string(),
  to: z.string(),
  register_before_kwh: z.number(),
  register_after_kwh: z.number(),
  unspread_kwh: z.number(),
  recorded_at: z.string(),
});
export type MeterEvent = z.infer<typeof MeterEventSchema>;
