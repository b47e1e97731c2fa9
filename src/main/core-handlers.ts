/** Handlers for the foundation channels: app status, auth, users, patients, cases, audit, settings. */
import type { authChannels } from '../shared/contract/auth.ts';
import type { patientChannels } from '../shared/contract/patients.ts';
import type { auditChannels } from '../shared/contract/audit.ts';
import { RUO_STATEMENT } from '../shared/ruo.ts';
import { GliofuseError, toErrorShape } from '../shared/errors.ts';
import { assertCanCreate, writeFileAtomic } from './store/storage-errors.ts';
import type { PartialHandlers, HandlerCtx } from './handler-types.ts';
import type { Actor } from '../shared/actor.ts';
import type { AuditLog } from './audit/audit-log.ts';
import type { UsersService } from './auth/users-service.ts';
import type { PatientsRepo } from './patients/patients-repo.ts';
import type { SettingsService, Settings } from './settings/settings-service.ts';
import { toFhirBundle } from './audit/fhir.ts';
import { canSeePhi, redactPatient } from './auth/phi-access.ts';
import type { ChainStatus } from '../shared/contract/audit.ts';

export interface CoreDeps {
  appVersion: string;
  audit: AuditLog;
  users: UsersService;
  patients: PatientsRepo;
  settings: SettingsService;
  /** The chain status measured at start-up (the UI warns when it is broken). */
  startupChain: () => ChainStatus;
  /** Chain, checkpoint, triggers and row accounting (src/main/integrity/verify-store.ts); default: the chain only. */
  verifyIntegrity?: () => Promise<ChainStatus>;
}

type CoreChannel = keyof typeof authChannels | keyof typeof patientChannels | keyof typeof auditChannels;

/** The router guarantees an actor for every non-public channel; this narrows the type once. */
function need(ctx: HandlerCtx): Actor {
  if (!ctx.actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
  return ctx.actor;
}

export function coreHandlers(d: CoreDeps): PartialHandlers<CoreChannel> {
  const sessionInfo = async (ctx: HandlerCtx) => ({ user: await d.users.byId(need(ctx).userId), expiresAfterIdleSeconds: ctx.sessions.idleSeconds() });
  return {
    'app.status': async (_req, ctx) => ({
      needsSetup: await d.users.needsSetup(),
      appVersion: d.appVersion,
      ruo: RUO_STATEMENT,
      auditChain: d.startupChain(),
      session: ctx.actor && !ctx.session.locked ? await sessionInfo(ctx) : null,
      locked: Boolean(ctx.actor && ctx.session.locked),
    }),
    'auth.setupAdmin': async (req, ctx) => {
      const actor = await d.users.setupAdmin(req);
      ctx.sessions.signIn(ctx.session, actor);
      return sessionInfo({ ...ctx, actor });
    },
    'auth.login': async (req, ctx) => {
      const actor = await d.users.authenticate(req.username, req.password, 'login');
      ctx.sessions.signIn(ctx.session, actor);
      return sessionInfo({ ...ctx, actor });
    },
    'auth.unlock': async (req, ctx) => {
      const current = ctx.actor;
      if (!current) throw new GliofuseError('UNAUTHENTICATED', 'There is no session to unlock; please sign in.');
      const actor = await d.users.authenticate(current.username, req.password, 'unlock');
      ctx.sessions.signIn(ctx.session, actor);
      return sessionInfo({ ...ctx, actor });
    },
    'auth.lock': async (_req, ctx) => {
      ctx.session.locked = true;
      await d.audit.append(ctx.actor, { action: 'auth.locked', entityType: 'user', entityId: ctx.actor?.userId ?? null });
      return { ok: true as const };
    },
    'auth.logout': async (_req, ctx) => {
      if (ctx.actor) await d.audit.append(ctx.actor, { action: 'auth.logout', entityType: 'user', entityId: ctx.actor.userId });
      ctx.sessions.signOut(ctx.session);
      return { ok: true as const };
    },
    'users.list': async () => ({ users: await d.users.list() }),
    'users.add': async (req, ctx) => d.users.add(need(ctx), req),
    'users.update': async (req, ctx) => d.users.update(need(ctx), req),

    // MRN and name only for roles allowed to see identifiers (src/main/auth/phi-access.ts).
    'patients.list': async (req, ctx) => d.patients.list(req, { phi: canSeePhi(need(ctx).role) }),
    'patients.get': async (req, ctx) => {
      const p = await d.patients.get(req.id);
      return canSeePhi(need(ctx).role) ? p : redactPatient(p);
    },
    'patients.create': async (req, ctx) => d.patients.create(need(ctx), req),
    'patients.update': async (req, ctx) => d.patients.update(need(ctx), req),
    'cases.list': async (req) => d.patients.listCases(req),
    'cases.get': async (req) => ({ ...(await d.patients.getCase(req.id)), history: await d.patients.caseHistory(req.id) }),
    'cases.create': async (req, ctx) => d.patients.createCase(need(ctx), req),
    'cases.update': async (req, ctx) => d.patients.updateCase(need(ctx), req),
    'cases.setStatus': async (req, ctx) => d.patients.setStatus(need(ctx), req.id, req.status, req.note),

    'audit.list': async (req) => d.audit.list(req),
    'audit.export': async (req, ctx) => {
      const delivery = { format: req.format, ...(req.out ? { file: req.out } : {}) };
      if (req.out) {
        // Files are written only for the CLI operator (a window or the bridge must never name a path to write).
        if (ctx.call.transport !== 'cli') throw new GliofuseError('FORBIDDEN', 'Only the command line writes audit exports to files.');
        try {
          assertCanCreate(req.out, 'write the audit export');
        } catch (err) {
          await d.audit.append(need(ctx), { action: 'audit.exported', outcome: 'failure', reason: toErrorShape(err).message, after: delivery });
          throw err;
        }
      }
      const events = await d.audit.all();
      const head = events.at(-1)?.hash ?? '0'.repeat(64);
      const checkpoint = d.audit.checkpointForExport(events.length, head);
      const content = req.format === 'fhir'
        ? JSON.stringify(toFhirBundle(events, d.appVersion, checkpoint), null, 2)
        : JSON.stringify({ ruo: RUO_STATEMENT, appVersion: d.appVersion, exportedAt: new Date().toISOString(), head, checkpoint, events }, null, 2);
      if (req.out) {
        try {
          writeFileAtomic(req.out, content, 'write the audit export');
        } catch (err) {
          await d.audit.append(need(ctx), { action: 'audit.exported', outcome: 'failure', reason: toErrorShape(err).message, after: { ...delivery, count: events.length, head } });
          throw err;
        }
      }
      await d.audit.append(need(ctx), { action: 'audit.exported', after: { ...delivery, count: events.length, head } });
      return { format: req.format, count: events.length, head, content: req.out ? '' : content };
    },
    // Verification only reads: appending "verified" to a truncated log would extend it at the freed sequence number.
    'audit.verify': async () => (d.verifyIntegrity ? d.verifyIntegrity() : d.audit.verify()),
    'settings.get': async () => ({ settings: { ...d.settings.current() } }),
    'settings.set': async (req, ctx) => {
      const next = await d.settings.set(need(ctx), req.key, req.value as Settings[typeof req.key]);
      return { settings: { ...next } };
    },
  };
}
