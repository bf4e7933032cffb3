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
