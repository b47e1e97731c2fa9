/**
 * The tamper-evident audit log. Services append domain events inside the same transaction as the change they
 * describe (so a rolled-back change leaves no event, and an event never exists without its change).
 */
import type { Db, Tx } from '../store/db.ts';
import { GENESIS_HASH, chainHash } from './canonical.ts';
import type { Actor } from '../auth/actor.ts';
import type { AuditEvent, AuditOutcome, ChainStatus } from '../../shared/contract/audit.ts';

export interface AuditInput {
  action: string;
  entityType?: string | null;
  entityId?: string | number | null;
  patientPseudonym?: string | null;
  before?: unknown;
  after?: unknown;
  outcome?: AuditOutcome;
  reason?: string | null;
}

interface AuditRow {
  seq: number;
  ts: string;
  user_id: number | null;
  user_name: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  patient_pseudonym: string | null;
  before_json: string | null;
  after_json: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  app_version: string;
  prev_hash: string;
  hash: string;
}

/** The exact object that is hashed: every column but `hash`, with the names the database uses. */
function hashedPart(r: Omit<AuditRow, 'hash'>): Record<string, unknown> {
  return {
    seq: r.seq, ts: r.ts, user_id: r.user_id, user_name: r.user_name, action: r.action,
    entity_type: r.entity_type, entity_id: r.entity_id, patient_pseudonym: r.patient_pseudonym,
    before_json: r.before_json, after_json: r.after_json, outcome: r.outcome, reason: r.reason,
    app_version: r.app_version, prev_hash: r.prev_hash,
  };
}

const toJson = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

export class AuditLog {
  constructor(
    private readonly db: Db,
    private readonly appVersion: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Appends inside an existing transaction (the caller's change and its event commit together). */
  async appendTx(tx: Tx, actor: Actor | null, e: AuditInput): Promise<AuditEvent> {
    const head = await tx.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    const row: Omit<AuditRow, 'hash'> = {
      seq: (head?.seq ?? 0) + 1,
      ts: this.now().toISOString(),
      user_id: actor?.userId ?? null,
      user_name: actor?.displayName ?? null,
      action: e.action,
      entity_type: e.entityType ?? null,
      entity_id: e.entityId === undefined || e.entityId === null ? null : String(e.entityId),
      patient_pseudonym: e.patientPseudonym ?? null,
      before_json: toJson(e.before),
      after_json: toJson(e.after),
      outcome: e.outcome ?? 'success',
      reason: e.reason ?? null,
      app_version: this.appVersion,
      prev_hash: head?.hash ?? GENESIS_HASH,
    };
    const hash = chainHash(row.prev_hash, hashedPart(row));
    await tx.run(
      `INSERT INTO audit_events (seq, ts, user_id, user_name, action, entity_type, entity_id, patient_pseudonym,
        before_json, after_json, outcome, reason, app_version, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.seq, row.ts, row.user_id, row.user_name, row.action, row.entity_type, row.entity_id, row.patient_pseudonym,
        row.before_json, row.after_json, row.outcome, row.reason, row.app_version, row.prev_hash, hash],
    );
    return toEvent({ ...row, hash });
  }

  /** Appends in a transaction of its own (access events: reads, denials, logins). */
  append(actor: Actor | null, e: AuditInput): Promise<AuditEvent> {
    return this.db.transaction((tx) => this.appendTx(tx, actor, e));
  }

  /** Walks the whole chain in seq order, in pages, so memory stays flat for long logs. */
  async verify(): Promise<ChainStatus> {
    let prev = GENESIS_HASH;
    let expectedSeq = 1;
    let count = 0;
    const page = 2000;
    for (;;) {
      const rows = await this.db.all<AuditRow>('SELECT * FROM audit_events WHERE seq >= ? ORDER BY seq LIMIT ?', [expectedSeq, page]);
      for (const r of rows) {
        if (r.seq !== expectedSeq) return { ok: false, count, head: prev, firstBrokenSeq: expectedSeq, reason: `event ${expectedSeq} is missing` };
        if (r.prev_hash !== prev) return { ok: false, count, head: prev, firstBrokenSeq: r.seq, reason: `event ${r.seq} does not link to event ${r.seq - 1}` };
        const { hash, ...rest } = r;
        if (chainHash(prev, hashedPart(rest)) !== hash) return { ok: false, count, head: prev, firstBrokenSeq: r.seq, reason: `event ${r.seq} was altered after it was written` };
        prev = hash;
        expectedSeq++;
        count++;
      }
      if (rows.length < page) break;
    }
    return { ok: true, count, head: prev, firstBrokenSeq: null, reason: null };
  }

  async head(): Promise<{ seq: number; hash: string }> {
    const h = await this.db.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    return h ?? { seq: 0, hash: GENESIS_HASH };
  }

  async list(filter: { action?: string; entityType?: string; entityId?: string; patientPseudonym?: string; userId?: number; fromSeq?: number; limit: number; offset: number }): Promise<{ total: number; events: AuditEvent[] }> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.action) { where.push('action LIKE ?'); params.push(`${filter.action}%`); }
    if (filter.entityType) { where.push('entity_type = ?'); params.push(filter.entityType); }
    if (filter.entityId) { where.push('entity_id = ?'); params.push(filter.entityId); }
    if (filter.patientPseudonym) { where.push('patient_pseudonym = ?'); params.push(filter.patientPseudonym); }
    if (filter.userId !== undefined) { where.push('user_id = ?'); params.push(filter.userId); }
    if (filter.fromSeq !== undefined) { where.push('seq >= ?'); params.push(filter.fromSeq); }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_events ${w}`, params))?.n ?? 0;
    const rows = await this.db.all<AuditRow>(`SELECT * FROM audit_events ${w} ORDER BY seq DESC LIMIT ? OFFSET ?`, [...params, filter.limit, filter.offset]);
    return { total, events: rows.map(toEvent) };
  }

  /** Every event oldest first, for export. */
  async all(): Promise<AuditEvent[]> {
    return (await this.db.all<AuditRow>('SELECT * FROM audit_events ORDER BY seq')).map(toEvent);
  }
}

function parseJson(s: string | null): unknown {
  if (s === null) return null;
  try { return JSON.parse(s) as unknown; } catch { return s; }
}

function toEvent(r: AuditRow): AuditEvent {
  return {
    seq: r.seq, ts: r.ts, userId: r.user_id, userName: r.user_name, action: r.action, entityType: r.entity_type,
    entityId: r.entity_id, patientPseudonym: r.patient_pseudonym, before: parseJson(r.before_json), after: parseJson(r.after_json),
    outcome: r.outcome, reason: r.reason, appVersion: r.app_version, prevHash: r.prev_hash, hash: r.hash,
  };
}
