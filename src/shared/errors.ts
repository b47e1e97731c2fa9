/**
 * The typed error shape that crosses every boundary (IPC, bridge, CLI, worker protocol).
 * Never carries a stack trace: the UI shows `message`, the CLI prints it as one line.
 */
import { z } from 'zod';

export const ERROR_CODES = [
  'BAD_INPUT', // payload or argument invalid -> CLI exit 2
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'LOCKED',
  'UNSUPPORTED', // e.g. a slide format this OpenSlide cannot read
  'INTEGRITY', // hash mismatch, tampered package, broken audit chain
  'CANCELLED',
  'WORKER_CRASHED',
  'STORAGE', // the database or a file cannot be used: busy, disk full, not a database, permission denied -> exit 1
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorShape = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorShape = z.infer<typeof ErrorShape>;

export class GliofuseError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'GliofuseError';
    this.code = code;
    this.details = details;
  }
  toShape(): ErrorShape {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) => new GliofuseError('BAD_INPUT', message, details);
export const notFound = (message: string, details?: Record<string, unknown>) => new GliofuseError('NOT_FOUND', message, details);

/** Maps anything thrown to the public shape. Unknown errors become INTERNAL with a generic message (no internals leak). */
export function toErrorShape(err: unknown): ErrorShape {
  if (err instanceof GliofuseError) return err.toShape();
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    const parsed = ErrorShape.safeParse({ code: (err as { code: unknown }).code, message: (err as { message: unknown }).message });
    if (parsed.success) return parsed.data;
  }
  return { code: 'INTERNAL', message: 'An internal error occurred; the operation was not completed.' };
}
