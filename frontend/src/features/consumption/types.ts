import { z } from 'zod';

// Cost fields are optional: without a tariff (or before the API priced anything) the views show kWh only.

/** The running total of the current clock hour, with its cost so far when a tariff applies. */
export const CurrentConsumptionSchema = z.object({
  device_id: z.string(),
  hour_start: z.string(),
  kwh: z.number(),
  max_hourly_kwh: z.number(),
  cost: z.number().nullish(),
  price_per_kwh: z.number().nullish(),
  currency: z.string().nullish(),
});
export type CurrentConsumption = z.infer<typeof CurrentConsumptionSchema>;

/**
 * One bar of a chart: the bucket's first instant (RFC 3339), its total, its cost (null: none of it
 * was priced), the mean price of its priced energy, and the energy no price covered.
 */
export const BucketSchema = z.object({
  start: z.string(),
  kwh: z.number(),
  cost: z.number().nullish(),
  price_per_kwh: z.number().nullish(),
  unpriced_kwh: z.number().optional(),
});
export type Bucket = z.infer<typeof BucketSchema>;

/** What every chart answer adds about money: currency null means no tariff. */
const CostTotalsShape = {
  currency: z.string().nullish(),
  cost_total: z.number().nullish(),
  standing_charge: z.number().nullish(),
};
export type CostTotals = { currency?: string | null; cost_total?: number | null; standing_charge?: number | null };

/** A local day's hours (23, 24 or 25 of them). */
export const DayConsumptionSchema = z.object({
  device_id: z.string(),
  date: z.string(),
  tz: z.string(),
  max_hourly_kwh: z.number(),
  hours: z.array(BucketSchema),
  ...CostTotalsShape,
});
export type DayConsumption = z.infer<typeof DayConsumptionSchema>;

export const RangeConsumptionSchema = z.object({ buckets: z.array(BucketSchema), ...CostTotalsShape });
export type RangeConsumption = z.infer<typeof RangeConsumptionSchema>;

/** kWh and its cost over a span (cost null: nothing priced). */
const AmountSchema = z.object({ kwh: z.number(), cost: z.number().nullish() });
export type Amount = z.infer<typeof AmountSchema>;

/** `GET /api/consumption/summary`: today and this month, all of a client's devices and each one. */
export const ConsumptionSummarySchema = z.object({
  client_id: z.string().optional(),
  tz: z.string().optional(),
  currency: z.string().nullish(),
  today: AmountSchema,
  month: AmountSchema,
  devices: z.array(z.object({ device_id: z.string(), name: z.string(), today: AmountSchema, month: AmountSchema })),
});
export type ConsumptionSummary = z.infer<typeof ConsumptionSummarySchema>;
