import { z } from 'zod';
import { ADMIN_ONLY, ROLES, channel } from './define.ts';
import { Id, IsoDateTime, Ok, Empty } from './common.ts';
import { safeLine } from './safe-text.ts';

export const Username = z.string().trim().min(2).max(64).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only');
export const Password = z.string().min(10, 'at least 10 characters').max(256);
export const RoleSchema = z.enum(ROLES);

export const User = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  role: RoleSchema,
  active: z.boolean(),
  lockedUntil: z.string().nullable(),
  createdAt: IsoDateTime,
});
export type User = z.infer<typeof User>;

export const SessionInfo = z.object({
  user: User,
  expiresAfterIdleSeconds: z.number().int().positive(),
});

export const AppStatus = z.object({
  needsSetup: z.boolean(),
  appVersion: z.string(),
  ruo: z.string(),
  auditChain: z.object({ ok: z.boolean(), count: z.number().int(), head: z.string(), firstBrokenSeq: z.number().int().nullable(), reason: z.string().nullable() }),
  session: SessionInfo.nullable(),
  locked: z.boolean(),
});
export type AppStatus = z.infer<typeof AppStatus>;

export const authChannels = {
  'app.status': channel({ request: Empty, response: AppStatus, access: 'public', summary: 'set-up state, audit-chain status at start, current session' }),
  'auth.setupAdmin': channel({
    request: z.object({ username: Username, displayName: safeLine(120).pipe(z.string().min(1)), password: Password }).strict(),
    response: SessionInfo, access: 'public', summary: 'first run only: create the admin account and sign in',
  }),
  'auth.login': channel({
    request: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict(),
    response: SessionInfo, access: 'public', summary: 'sign in',
  }),
  'auth.unlock': channel({
    request: z.object({ password: z.string().min(1).max(256) }).strict(),
    response: SessionInfo, access: 'public', summary: 're-enter the password after the inactivity lock',
  }),
  'auth.lock': channel({ request: Empty, response: Ok, access: 'any', summary: 'lock the session now' }),
  'auth.logout': channel({ request: Empty, response: Ok, access: 'public', summary: 'sign out' }),
  'users.list': channel({ request: Empty, response: z.object({ users: z.array(User) }), access: ADMIN_ONLY, summary: 'list accounts' }),
  'users.add': channel({
    request: z.object({ username: Username, displayName: safeLine(120).pipe(z.string().min(1)), role: RoleSchema, password: Password }).strict(),
    response: User, access: ADMIN_ONLY, summary: 'create an account',
  }),
  'users.update': channel({
    request: z.object({ id: Id, role: RoleSchema.optional(), active: z.boolean().optional(), displayName: safeLine(120).pipe(z.string().min(1)).optional(), unlock: z.boolean().optional() }).strict(),
    response: User, access: ADMIN_ONLY, summary: 'change role, deactivate, or clear a lockout',
  }),
};
