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

/** What a chart can be compared with: the period before, or the same period a year earlier. */
export const COMPARE_KINDS = ['previous', 'year'] as const;
export type CompareKind = (typeof COMPARE_KINDS)[number];

/** A compared period's bar, matched to the chart's bar at the same index; all null where nothing matches. */
export const ComparedBucketSchema = z.object({
  start: z.string().nullable(),
  kwh: z.number().nullable(),
  cost: z.number().nullish(),
});
export type ComparedBucket = z.infer<typeof ComparedBucketSchema>;

/** A whole compared period: its totals, the change to the chart's (chart minus compared), and its bars. */
export const ComparisonSchema = z.object({
  kind: z.enum(COMPARE_KINDS),
  from: z.string(),
  to: z.string(),
  kwh_total: z.number(),
  cost_total: z.number().nullish(),
  change_kwh: z.number(),
  /** null when the compared total is 0. */
  change_pct: z.number().nullable(),
  /** null unless both periods carry cost. */
  change_cost: z.number().nullish(),
  buckets: z.array(ComparedBucketSchema),
});
export type Comparison = z.infer<typeof ComparisonSchema>;

/** The day-ahead forecast of a day chart: each hour's usual energy, once the baseline has enough history. */
export const ForecastSchema = z.object({
  ready: z.boolean(),
  weeks_of_history: z.number(),
  min_weeks: z.number(),
  hours: z.array(z.object({ start: z.string(), kwh: z.number() })),
  kwh_total: z.number().nullish(),
});
export type Forecast = z.infer<typeof ForecastSchema>;

/**
 * `GET /api/consumption/{id}/period` and `GET /api/consumption/total`: a day by hour, a week or month by
 * day, a year by month, in a zone, with the compared periods and (day charts) the forecast asked for.
 */
export const PeriodConsumptionSchema = z.object({
  scope: z.enum(['device', 'client']),
  device_id: z.string().optional(),
  client_id: z.string().optional(),
  /** How many devices the client's total adds up. */
  devices: z.number().optional(),
  period: z.enum(['day', 'week', 'month', 'year']),
  date: z.string(),
  tz: z.string(),
  bucket: z.enum(['hour', 'day', 'month']),
  from: z.string(),
  to: z.string(),
  buckets: z.array(BucketSchema),
  kwh_total: z.number(),
  /** A device's hourly limit, when the answer names it (the dashboard also knows it from the device). */
  max_hourly_kwh: z.number().optional(),
  comparisons: z.array(ComparisonSchema).optional(),
  forecast: ForecastSchema.nullish(),
  ...CostTotalsShape,
});
export type PeriodConsumption = z.infer<typeof PeriodConsumptionSchema>;

/** `GET /api/consumption/{id}/insight`: a device's usual week (its baseline) and the settings its unusual alerts use. */
export const DeviceInsightSchema = z.object({
  device_id: z.string(),
  tz: z.string(),
  ready: z.boolean(),
  weeks_of_history: z.number(),
  min_weeks: z.number(),
  weeks: z.number(),
  learned_at: z.string().nullish(),
  sensitivity: z.number(),
  sustain_hours: z.number(),
  slots: z.array(z.object({ slot: z.number(), median_kwh: z.number(), spread_kwh: z.number(), samples: z.number() })),
  tomorrow: z
    .object({ date: z.string(), hours: z.array(z.object({ start: z.string(), kwh: z.number() })), kwh_total: z.number() })
    .nullish(),
});
export type DeviceInsight = z.infer<typeof DeviceInsightSchema>;
