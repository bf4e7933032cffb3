import { z } from 'zod';
import { pageSchema } from '@/lib/pagination';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const TARIFF_KINDS = ['flat', 'time_of_use', 'dynamic'] as const;
export type TariffKind = (typeof TARIFF_KINDS)[number];

/** A decimal the API sends as an exact string (numbers are accepted too). */
const decimal = z.union([z.string(), z.number()]).transform(String);

/** A period of the local week in a time-of-use season. */
export const PeriodSchema = z.object({
  days: z.array(z.enum(WEEKDAYS)),
  from: z.string(),
  to: z.string(),
  price_per_kwh: decimal,
});

/** A season: `months` is `[from, to]`, inclusive, wrapping over the new year (`[11, 2]`). */
export const SeasonSchema = z.object({
  months: z.tuple([z.number(), z.number()]),
  default_price_per_kwh: decimal,
  periods: z.array(PeriodSchema).default([]),
});

/** A tariff as the API returns it; the kind's fields are present for its kind only. */
export const TariffSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(TARIFF_KINDS),
  currency: z.string(),
  tz: z.string(),
  standing_charge_per_day: decimal.nullish(),
  price_per_kwh: decimal.nullish(),
  seasons: z.array(SeasonSchema).nullish(),
  slot_minutes: z.number().nullish(),
  /** Ever assigned: then only the name may change. */
  assigned: z.boolean().default(false),
  created_at: z.string(),
  updated_at: z.string().nullish(),
});
export type Tariff = z.infer<typeof TariffSchema>;
export const TariffsPageSchema = pageSchema(TariffSchema);

/** Who pays by which tariff from when; a device row with `tariff_id` null is back on the client's tariff. */
export const TariffAssignmentSchema = z.object({
  id: z.string(),
  client_id: z.string().nullish(),
  device_id: z.string().nullish(),
  tariff_id: z.string().nullish(),
  tariff_name: z.string().nullish(),
  from: z.string(),
  created_at: z.string(),
});
export type TariffAssignment = z.infer<typeof TariffAssignmentSchema>;

export const TariffAssignmentsPageSchema = pageSchema(TariffAssignmentSchema).extend({
  current: TariffAssignmentSchema.nullish(),
});

/** The answer to a price upload. */
export const PriceUploadResultSchema = z.object({ stored: z.number(), replaced: z.number() });
export type PriceUploadResult = z.infer<typeof PriceUploadResultSchema>;

/** Whose tariff an assignment panel manages. */
export type AssignmentTarget = { clientId: string } | { deviceId: string };
