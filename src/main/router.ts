/**
 * The one router all shells share. For every call: sender check -> known channel -> zod parse -> session and role
 * check -> service handler -> response parse -> access audit. Errors leave as the typed shape only.
 */
import type { z } from 'zod';
import { contract, isChannel, type Channel, type Envelope, type ResponseOf } from '../shared/contract/index.ts';
import { GliofuseError, toErrorShape } from '../shared/errors.ts';
import { storageFailure } from './store/storage-errors.ts';
import type { AuditLog } from './audit/audit-log.ts';
import type { Sessions } from './auth/sessions.ts';
import type { CallContext, HandlerCtx, Handlers } from './handler-types.ts';

export type { CallContext, HandlerCtx, Handler, Handlers, PartialHandlers } from './handler-types.ts';

/** Summarises zod issues into one sentence naming the fields. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'request'}: ${i.message}`)
    .join('; ');
}

function entityOf(req: unknown): { entityId: string | null } {
  if (req && typeof req === 'object' && 'id' in req) return { entityId: String((req as { id: unknown }).id) };
  return { entityId: null };
}

export class Router {
  constructor(
    private readonly handlers: Handlers,
    private readonly audit: AuditLog,
    private readonly sessions: Sessions,
  ) {}

  async call<C extends Channel>(name: C, payload: unknown, call: CallContext): Promise<Envelope<ResponseOf<C>>>;
  async call(name: string, payload: unknown, call: CallContext): Promise<Envelope<unknown>>;
  async call(name: string, payload: unknown, call: CallContext): Promise<Envelope<unknown>> {
    const session = this.sessions.check(call.sessionId);
    const actor = session.actor;
    try {
      if (!call.senderOk) {
        await this.audit.append(actor, { action: 'access.rejected_sender', outcome: 'denied', reason: `${call.transport}: ${call.senderDescription ?? 'unknown sender'} called ${name}` });
        throw new GliofuseError('FORBIDDEN', 'Request refused: it did not come from the application window.');
      }
      if (!isChannel(name)) throw new GliofuseError('BAD_INPUT', `Unknown channel "${name.slice(0, 80)}".`);
      const def = contract[name];
      const parsed = def.request.safeParse(payload ?? {});
      if (!parsed.success) throw new GliofuseError('BAD_INPUT', `Invalid request for ${name}: ${describeZodError(parsed.error)}`);

      if (def.access !== 'public') {
        if (!actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
        if (session.locked) throw new GliofuseError('LOCKED', 'The session is locked after inactivity; enter your password to continue.');
        if (def.access !== 'any' && !def.access.includes(actor.role)) {
          await this.audit.append(actor, { action: 'access.denied', entityType: 'channel', entityId: name, outcome: 'denied', reason: `role ${actor.role} may not call ${name}` });
          throw new GliofuseError('FORBIDDEN', `Your role (${actor.role}) is not allowed to do this.`);
        }
        this.sessions.touch(session);
      }

      const handler = this.handlers[name] as (req: unknown, ctx: HandlerCtx) => Promise<unknown>;
      const raw = await handler(parsed.data, { actor, session, sessions: this.sessions, call });
      const out = def.response.safeParse(raw);
      if (!out.success) throw new GliofuseError('INTERNAL', `The ${name} service returned an unexpected shape (${describeZodError(out.error)}).`);
      if ('auditRead' in def && def.auditRead) {
        await this.audit.append(session.actor, { action: `read.${name}`, entityType: name.split('.')[0] ?? null, ...entityOf(parsed.data), patientPseudonym: pseudonymOf(out.data) });
      }
      return { ok: true, value: out.data };
    } catch (caught) {
      const err = storageFailure(caught); // a raw file-system failure becomes its one line (store/storage-errors.ts)
      const shape = toErrorShape(err);
      if (shape.code === 'INTERNAL' && !(err instanceof GliofuseError)) {
        // Keep the details for the operator's log; the caller only sees the generic message.
        console.error(`[router] ${name} failed:`, err);
      }
      return { ok: false, error: shape };
    }
  }
}

function pseudonymOf(value: unknown): string | null {
  if (value && typeof value === 'object') {
    if ('patientPseudonym' in value && typeof value.patientPseudonym === 'string') return value.patientPseudonym;
    if ('pseudonym' in value && typeof value.pseudonym === 'string') return value.pseudonym;
  }
  return null;
}
