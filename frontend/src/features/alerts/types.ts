import { z } from 'zod';

/** The kinds of device alert: an hour over the limit, or a run of hours unlike the device's usual week. */
export const ALERT_KINDS = ['limit', 'unusual'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * A device's alert: one hour over its limit (`limit`), or a run of `hours` hours from `hour_start` to `hour_end`
 * that used far more (`direction` high) or less (low) than the `expected_kwh` of its usual week (`unusual`).
 * An alert from before kinds existed is a limit alert.
 */
export const AlertSchema = z.object({
  id: z.string(),
  device_id: z.string(),
  kind: z.string().default('limit'),
  hour_start: z.string(),
  hour_end: z.string().nullish(),
  hours: z.number().nullish(),
  kwh: z.number(),
  expected_kwh: z.number().nullish(),
  direction: z.string().nullish(),
  max_hourly_kwh: z.number(),
  created_at: z.string(),
  acknowledged_at: z.string().nullish(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** A client's month projected over (or actually over) the budget; amounts in the budget's unit. */
export const BudgetAlertSchema = z.object({
  id: z.string(),
  client_id: z.string(),
  client_name: z.string().nullish(),
  month: z.string(),
  kind: z.enum(['projected', 'spent']),
  budget: z.object({ kind: z.enum(['money', 'kwh']), amount: z.number() }),
  spent: z.number(),
  projected: z.number(),
  currency: z.string().nullish(),
  created_at: z.string(),
  acknowledged_at: z.string().nullish(),
});
export type BudgetAlert = z.infer<typeof BudgetAlertSchema>;
