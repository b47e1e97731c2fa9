import { z } from 'zod';

export const Id = z.number().int().positive();
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
export const IsoDateTime = z.string().datetime({ offset: true });
export const Paging = z.object({
  limit: z.number().int().min(1).max(500).default(50),
  offset: z.number().int().min(0).default(0),
});
export const Empty = z.object({}).strict();
export const Ok = z.object({ ok: z.literal(true) });
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
