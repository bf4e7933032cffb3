import { z } from 'zod';

/** A meter as the API returns it. */
export const DeviceSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string().nullish(),
  max_hourly_kwh: z.number(),
  owner_id: z.string().nullish(),
  created_at: z.string(),
});
export type Device = z.infer<typeof DeviceSchema>;
