import { z } from 'zod';

export const BUDGET_KINDS = ['money', 'kwh'] as const;
export type BudgetKind = (typeof BUDGET_KINDS)[number];

/** A client's monthly budget: money in the tariff's currency, or kWh. */
export const BudgetSchema = z.object({
  client_id: z.string(),
  kind: z.enum(BUDGET_KINDS),
  amount: z.number(),
  tz: z.string().nullish(),
  currency: z.string().nullish(),
  updated_at: z.string().nullish(),
});
export type Budget = z.infer<typeof BudgetSchema>;

const AmountSchema = z.object({ kwh: z.number(), cost: z.number().nullish() });

/** Spent so far this month and the projection to its end against the budget. */
export const BudgetStatusSchema = z.object({
  client_id: z.string(),
  month: z.string(),
  tz: z.string().nullish(),
  budget: z.object({ kind: z.enum(BUDGET_KINDS), amount: z.number() }),
  currency: z.string().nullish(),
  spent: AmountSchema,
  projected: AmountSchema,
  unpriced_kwh: z.number().default(0),
  projected_over: z.boolean(),
  spent_over: z.boolean(),
  /** How the projection is made, in words. */
  method: z.string(),
});
export type BudgetStatus = z.infer<typeof BudgetStatusSchema>;
