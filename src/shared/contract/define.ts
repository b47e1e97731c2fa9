/**
 * How a channel is declared: request and response zod schemas plus who may call it. Types are inferred from the
 * schemas so the renderer, the router, the bridge and the tests cannot drift apart.
 */
import type { z } from 'zod';

export const ROLES = ['admin', 'pathologist', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** 'public' = no session needed (first-run set-up, login); 'any' = any signed-in, unlocked user. */
export type Access = 'public' | 'any' | readonly Role[];

export interface ChannelDef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly request: Req;
  readonly response: Res;
  readonly access: Access;
  /** Reads of patient data are audited by the router as `<channel>` access events. */
  readonly auditRead?: boolean;
  readonly summary: string;
}

export function channel<Req extends z.ZodType, Res extends z.ZodType>(def: ChannelDef<Req, Res>): ChannelDef<Req, Res> {
  return def;
}

export const EDITORS: readonly Role[] = ['admin', 'pathologist'];
export const ADMIN_ONLY: readonly Role[] = ['admin'];
export const PATHOLOGIST_ONLY: readonly Role[] = ['pathologist'];
