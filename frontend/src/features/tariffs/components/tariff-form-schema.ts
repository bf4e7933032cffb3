import { z } from 'zod';
import { currencyRule, decimalRule, nameRule, timeZoneRule } from '@/lib/validation';
import { TARIFF_KINDS, WEEKDAYS } from '../types';
import type { CreateTariffInput } from '../api/create-tariff';

// The same rules as the cost crate's TariffSpec::validate, so mistakes show before a round trip.
const TIME = /^(([01]\d|2[0-3]):(00|15|30|45)|24:00)$/;
const quarter = (time: string) => Number(time.slice(0, 2)) * 4 + Number(time.slice(3)) / 15;

const timeRule = z.string().trim().regex(TIME, 'A time HH:MM on a quarter hour (00, 15, 30, 45), up to 24:00.');

const PeriodFormSchema = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1, 'Pick at least one day.'),
    from: timeRule,
    to: timeRule,
    price_per_kwh: decimalRule(),
  })
  .refine((period) => !TIME.test(period.from) || !TIME.test(period.to) || quarter(period.to) > quarter(period.from), {
    message: 'Must be later than the start.',
    path: ['to'],
  });

const month = z.string().regex(/^([1-9]|1[0-2])$/, 'Pick a month.');

const SeasonFormSchema = z.object({
  from_month: month,
  to_month: month,
  default_price_per_kwh: decimalRule(),
  periods: z.array(PeriodFormSchema).max(48, 'At most 48 periods.'),
});
export type SeasonFormValues = z.infer<typeof SeasonFormSchema>;

// The form keeps seasons while another kind is chosen; they are checked only for time of use.
const LooseSeasonSchema = z.object({
  from_month: z.string(),
  to_month: z.string(),
  default_price_per_kwh: z.string(),
  periods: z.array(z.object({ days: z.array(z.enum(WEEKDAYS)), from: z.string(), to: z.string(), price_per_kwh: z.string() })),
});

/** The months (1–12) an inclusive, wrapping `[from, to]` range covers: `[11, 2]` is Nov–Feb. */
export function monthsOf(from: number, to: number): number[] {
  const months = [from];
  for (let m = from; m !== to; ) {
    m = (m % 12) + 1;
    months.push(m);
  }
  return months;
}

/** Months no season covers; a time-of-use tariff must price every month. */
export function uncoveredMonths(seasons: { from_month: string; to_month: string }[]): number[] {
  const covered = new Set(seasons.flatMap((season) => monthsOf(Number(season.from_month), Number(season.to_month))));
  return Array.from({ length: 12 }, (_, i) => i + 1).filter((m) => !covered.has(m));
}

const MONTH_NAMES = Array.from({ length: 12 }, (_, i) => new Date(2026, i, 1).toLocaleDateString('en', { month: 'short' }));
export const monthName = (m: number) => MONTH_NAMES[m - 1];

export const TariffFormSchema = z
  .object({
    name: nameRule,
    kind: z.enum(TARIFF_KINDS),
    currency: currencyRule,
    tz: timeZoneRule,
    standing_charge_per_day: decimalRule(),
    price_per_kwh: z.string(),
    slot_minutes: z.enum(['15', '60']),
    seasons: z.array(LooseSeasonSchema),
  })
  .superRefine((values, ctx) => {
    // Only the chosen kind's fields count.
    if (values.kind === 'flat') {
      const price = decimalRule().safeParse(values.price_per_kwh);
      if (!price.success) ctx.addIssue({ code: 'custom', path: ['price_per_kwh'], message: price.error.issues[0].message });
    }
    if (values.kind === 'time_of_use') {
      if (values.seasons.length === 0 || values.seasons.length > 12) {
        ctx.addIssue({ code: 'custom', path: ['seasons'], message: 'Add 1 to 12 seasons.' });
        return;
      }
      const seasons = z.array(SeasonFormSchema).safeParse(values.seasons);
      for (const issue of seasons.error?.issues ?? []) {
        ctx.addIssue({ code: 'custom', path: ['seasons', ...issue.path], message: issue.message });
      }
      const valid = values.seasons.every((season) => month.safeParse(season.from_month).success && month.safeParse(season.to_month).success);
      const missing = valid ? uncoveredMonths(values.seasons) : [];
      if (missing.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['seasons'],
          message: `The seasons must cover all 12 months; ${missing.map(monthName).join(', ')} ${missing.length === 1 ? 'is' : 'are'} in none.`,
        });
      }
    }
  });

export type TariffFormInput = z.input<typeof TariffFormSchema>;
export type TariffFormValues = z.output<typeof TariffFormSchema>;

export const emptySeason = (): SeasonFormValues => ({
  from_month: '1',
  to_month: '12',
  default_price_per_kwh: '',
  periods: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '23:00', price_per_kwh: '' }],
});

/** The POST body for the chosen kind: only its fields, prices as the exact strings typed. */
export function toCreateTariffInput(values: TariffFormValues): CreateTariffInput {
  const common = {
    name: values.name,
    kind: values.kind,
    currency: values.currency,
    tz: values.tz,
    standing_charge_per_day: values.standing_charge_per_day,
  };
  if (values.kind === 'flat') return { ...common, price_per_kwh: values.price_per_kwh.trim() };
  if (values.kind === 'dynamic') return { ...common, slot_minutes: Number(values.slot_minutes) };
  return {
    ...common,
    seasons: values.seasons.map((season) => ({
      months: [Number(season.from_month), Number(season.to_month)],
      default_price_per_kwh: season.default_price_per_kwh.trim(),
      periods: season.periods.map((period) => ({ ...period, from: period.from.trim(), to: period.to.trim(), price_per_kwh: period.price_per_kwh.trim() })),
    })),
  };
}

/** The API names fields like `seasons[1].periods[0].to`; the form calls that `seasons.1.periods.0.to`. */
export function formPathOf(apiField: string): string {
  return apiField.replace(/\[(\d+)\]/g, '.$1').replace(/\.months$/, '.from_month');
}
