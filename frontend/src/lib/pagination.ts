import { z } from 'zod';

/** A page of a list: `{"items","total","page","per_page"}`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int().nonnegative(),
    page: z.number().int().positive(),
    per_page: z.number().int().positive(),
  });
}

export type Page<T> = { items: T[]; total: number; page: number; per_page: number };

/** How many pages a list has (at least one, so the pager never shows zero). */
export function pageCount(page: Pick<Page<unknown>, 'total' | 'per_page'>): number {
  return Math.max(1, Math.ceil(page.total / page.per_page));
}
