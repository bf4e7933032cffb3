import { z } from 'zod';

/** The running total of the current clock hour. */
export const CurrentConsumptionSchema = z.object({
  device_id: z.string(),
  hour_start: z.string(),
  kwh: z.number(),
  max_hourly_kwh: z.number(),
});
export type CurrentConsumption = z.infer<typeof CurrentConsumptionSchema>;

/** One bar of a chart: the bucket's first instant (RFC 3339) and its total. */
export const BucketSchema = z.object({ start: z.string(), kwh: z.number() });
export type Bucket = z.infer<typeof BucketSchema>;

/** A local day's hours (23, 24 or 25 of them). */
export const DayConsumptionSchema = z.object({
  device_id: z.string(),
  date: z.string(),
  tz: z.string(),
  max_hourly_kwh: z.number(),
  hours: z.array(BucketSchema),
});
export type DayConsumption = z.infer<typeof DayConsumptionSchema>;

export const RangeConsumptionSchema = z.object({ buckets: z.array(BucketSchema) });
export type RangeConsumption = z.infer<typeof RangeConsumptionSchema>;
