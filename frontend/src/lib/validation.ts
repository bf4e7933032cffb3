import { z } from 'zod';

// The same rules as the API's shared crate, so most mistakes are caught before a round trip.
export const usernameRule = z
  .string()
  .trim()
  .min(3, 'At least 3 characters.')
  .max(32, 'At most 32 characters.')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "Letters, digits, '.', '_' and '-', starting with a letter or digit.");

export const passwordRule = z
  .string()
  .min(8, 'At least 8 characters.')
  .max(128, 'At most 128 characters.')
  .refine((value) => value.trim().length > 0, 'Must not be only spaces.');

export const nameRule = z.string().trim().min(1, 'Required.').max(100, 'At most 100 characters.');

export const addressRule = z.string().trim().max(200, 'At most 200 characters.');
