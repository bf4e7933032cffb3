import { z } from 'zod';

/** One hour of one device over its limit. */
export const AlertSchema = z.object({
  id: z.string(),
  device_id: z.string(),
  hour_start: z.string(),
  kwh: z.number(),
  max_hourly_kwh: z.number(),
  created_at: z.string(),
  acknowledged_at: z.string().nullish(),
});
export type Alert = z.infer<typeof AlertSchema>;
