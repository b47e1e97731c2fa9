import { z } from 'zod';
import { ADMIN_ONLY, channel } from './define.ts';
import { Empty, Paging } from './common.ts';

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AuditEvent = z.object({
  seq: z.number().int(),
  ts: z.string(),
  userId: z.number().int().nullable(),
  userName: z.string().nullable(),
  action: z.string(),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  patientPseudonym: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  outcome: z.enum(AUDIT_OUTCOMES),
  reason: z.string().nullable(),
  appVersion: z.string(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/** How the log compares with its checkpoint file (docs/store-and-audit.md, "Integrity design"). */
export const CheckpointStatus = z.object({
  state: z.enum(['ok', 'missing', 'unreadable', 'forged', 'other-key', 'behind', 'differs']),
  count: z.number().int().nullable(),
  head: z.string().nullable(),
  writtenAt: z.string().nullable(),
});
export type CheckpointStatus = z.infer<typeof CheckpointStatus>;

export const ChainStatus = z.object({
  ok: z.boolean(),
  count: z.number().int(),
  head: z.string(),
  firstBrokenSeq: z.number().int().nullable(),
  /** The first problem found (null when ok); `problems` lists all of them. */
  reason: z.string().nullable(),
  /** Events are HMAC-chained with the installation's audit key (from `keyedFromSeq` on). */
  keyed: z.boolean().optional(),
  keyedFromSeq: z.number().int().nullable().optional(),
  checkpoint: CheckpointStatus.nullable().optional(),
  /** Every finding: chain breaks, checkpoint mismatches, schema triggers, rows without their creating event. */
  problems: z.array(z.string()).optional(),
});
export type ChainStatus = z.infer<typeof ChainStatus>;

export const AuditFilter = Paging.extend({
  action: z.string().trim().max(100).optional(),
  entityType: z.string().trim().max(50).optional(),
  entityId: z.string().trim().max(50).optional(),
  patientPseudonym: z.string().trim().max(64).optional(),
  userId: z.number().int().positive().optional(),
}).strict();

export const auditChannels = {
  'audit.list': channel({
    request: AuditFilter,
    response: z.object({ total: z.number().int(), events: z.array(AuditEvent) }),
    access: 'any', summary: 'browse the audit log with filters',
  }),
  'audit.export': channel({
    request: z.object({
      format: z.enum(['json', 'fhir']),
      /** CLI only: write the export to this file (checked up front; a failed write is audited as a failure). */
      out: z.string().min(1).max(4096).optional(),
    }).strict(),
    response: z.object({ format: z.enum(['json', 'fhir']), count: z.number().int(), head: z.string(), content: z.string() }),
    access: ADMIN_ONLY, summary: 'export the whole audit log (plain JSON or FHIR AuditEvent bundle); the export itself is audited',
  }),
  'audit.verify': channel({ request: Empty, response: ChainStatus, access: 'any', summary: 'verify the hash chain now' }),
  'settings.get': channel({ request: Empty, response: z.object({ settings: z.record(z.string(), z.unknown()) }), access: 'any', summary: 'app settings' }),
  'settings.set': channel({
    request: z.object({ key: z.enum(['idleLockMinutes', 'maxFailedLogins', 'lockoutMinutes', 'forceCpu', 'openslideLibraryPath', 'executionProvider']), value: z.union([z.number(), z.boolean(), z.string(), z.null()]) }).strict(),
    response: z.object({ settings: z.record(z.string(), z.unknown()) }),
    access: ADMIN_ONLY, summary: 'change a setting (audited with before/after)',
  }),
};
