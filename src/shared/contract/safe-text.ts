/** zod building blocks for typed text that is stored and printed (rules: src/shared/text-safety.ts). */
import { z } from 'zod';
import { unsafeCharIn, unsafeCharMessage } from '../text-safety.ts';

/** A trimmed single-line text of at most `max` characters without control or text-direction characters. */
export const safeLine = (max: number) =>
  z.string().trim().max(max).superRefine((s, ctx) => {
    const u = unsafeCharIn(s);
    if (u) ctx.addIssue({ code: 'custom', message: unsafeCharMessage(u) });
  });

/** As safeLine, but tab and line breaks are allowed (notes, comments). */
export const safeText = (max: number) =>
  z.string().trim().max(max).superRefine((s, ctx) => {
    const u = unsafeCharIn(s, true);
    if (u) ctx.addIssue({ code: 'custom', message: unsafeCharMessage(u) });
  });

/** A calendar date YYYY-MM-DD that exists (2024-02-30 does not). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/**
 * True when the date is after today. One day of slack: a specimen collected "today" in a time zone ahead of
 * this machine's is not in the future.
 */
export function isFutureDate(s: string, now: Date = new Date()): boolean {
  return Date.parse(`${s}T00:00:00Z`) > now.getTime() + 24 * 3600_000;
}

/** A real calendar date that is not in the future (collection, receipt). */
export const PastDate = z.string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(isCalendarDate, 'is not a real calendar date')
  .refine((s) => !isFutureDate(s), 'is in the future');
