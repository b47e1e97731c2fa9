/**
 * The tamper-evident audit log. Services append domain events inside the same transaction as the change they
 * describe (so a rolled-back change leaves no event, and an event never exists without its change).
 * With an audit key (docs/store-and-audit.md, "Integrity design") events are HMAC-chained and every commit that
 * appended events refreshes the checkpoint file beside the database.
 */
import type { Db, Tx } from '../store/db.ts';
import { GENESIS_HASH, chainHash, chainMac } from './canonical.ts';
import { keyId } from './audit-key.ts';
import { readCheckpoint, sealCheckpoint, writeCheckpointAtomic, type Checkpoint } from './checkpoint.ts';
import { compareCheckpoint, judgeChain, type ChainWalk } from './chain-rules.ts';
import type { Actor } from '../../shared/actor.ts';
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

/** Whether the log's first event was written under the unkeyed rule (a log from before keyed audit). */
export async function firstEventUnkeyed(q: Pick<Tx, 'get'>): Promise<boolean> {
  const r = await q.get<AuditRow>('SELECT * FROM audit_events WHERE seq = 1');
  if (!r) return false;
  const { hash, ...rest } = r;
  return chainHash(rest.prev_hash, hashedPart(rest)) === hash;
}

/** The event that records "keyed from here on" when an unkeyed (pre-key) log gets its key. */
export const KEYED_MARKER_ACTION = 'audit.chain_keyed';

export interface AuditIntegrityOptions {
  /** The installation's audit key; null = the unkeyed legacy rule (tests of single services, old logs). */
  key: Buffer | null;
  /** `<db>.audit-checkpoint`; null = no checkpoint (in-memory or keyless use). */
  checkpointFile: string | null;
  /** Where the key is kept, for messages. */
  keyDescription?: string;
  /** A checkpoint that could not be written after a commit (the change itself is committed). */
  onCheckpointError?: (err: unknown) => void;
}

export class AuditLog {
  /** Per transaction, the last event appended in it (the checkpoint written after it commits). */
  private readonly pending = new WeakMap<Tx, { seq: number; hash: string; advance: boolean }>();

  constructor(
    private readonly db: Db,
    private readonly appVersion: string,
    private readonly now: () => Date = () => new Date(),
    private readonly integrity: AuditIntegrityOptions = { key: null, checkpointFile: null },
  ) {}

  get keyed(): boolean {
    return this.integrity.key !== null;
  }

  /** hash of one row under the rule that applies to it (keyed from `keyedFrom` on). */
  private hashOf(row: Omit<AuditRow, 'hash'>, keyedFrom: number | null): string {
    const key = this.integrity.key;
    if (key && keyedFrom !== null && row.seq >= keyedFrom) return chainMac(key, row.prev_hash, hashedPart(row));
    return chainHash(row.prev_hash, hashedPart(row));
  }

  /**
   * Decides once per transaction, under the write lock, whether the checkpoint may advance: only when the
   * checkpoint on disk is still consistent with this log (its event exists with its head). A checkpoint that says
   * the log was truncated or rewritten is evidence and is never overwritten by later commits.
   */
  private async mayAdvanceCheckpoint(tx: Tx): Promise<boolean> {
    const file = this.integrity.checkpointFile;
    const key = this.integrity.key;
    if (!file || !key) return false;
    const cp = readCheckpoint(file);
    if (cp.state === 'missing') return true;
    if (cp.state === 'unreadable') return false;
    const at = cp.checkpoint.count === 0 ? { hash: GENESIS_HASH } : await tx.get<{ hash: string }>('SELECT hash FROM audit_events WHERE seq = ?', [cp.checkpoint.count]);
    return compareCheckpoint(key, cp.checkpoint, at?.hash ?? null, Number.MAX_SAFE_INTEGER).state === 'ok';
  }

  private writeCheckpoint(seq: number, hash: string): void {
    const { key, checkpointFile } = this.integrity;
    if (!key || !checkpointFile) return;
    try {
      // Another process may have advanced it past us between our commit and now; never move it backwards.
      const cur = readCheckpoint(checkpointFile);
      if (cur.state === 'present' && cur.checkpoint.count >= seq) return;
      writeCheckpointAtomic(checkpointFile, sealCheckpoint(key, keyId(key), seq, hash, this.now().toISOString()));
    } catch (err) {
      this.integrity.onCheckpointError?.(err);
    }
  }

  /** The first seq under the keyed rule: the marker's seq for a log keyed after the fact, else 1. */
  private async keyedFromSeq(q: Pick<Tx, 'get'>): Promise<number | null> {
    if (!this.integrity.key) return null;
    const m = await q.get<{ seq: number }>('SELECT seq FROM audit_events WHERE action = ? ORDER BY seq LIMIT 1', [KEYED_MARKER_ACTION]);
    return m?.seq ?? 1;
  }

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
    const keyedFrom = e.action === KEYED_MARKER_ACTION ? row.seq : await this.keyedFromSeq(tx);
    const hash = this.hashOf(row, keyedFrom);
    await tx.run(
      `INSERT INTO audit_events (seq, ts, user_id, user_name, action, entity_type, entity_id, patient_pseudonym,
        before_json, after_json, outcome, reason, app_version, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.seq, row.ts, row.user_id, row.user_name, row.action, row.entity_type, row.entity_id, row.patient_pseudonym,
        row.before_json, row.after_json, row.outcome, row.reason, row.app_version, row.prev_hash, hash],
    );
    const before = this.pending.get(tx);
    if (!before) tx.afterCommit(() => {
      const p = this.pending.get(tx);
      if (p?.advance) this.writeCheckpoint(p.seq, p.hash);
    });
    this.pending.set(tx, { seq: row.seq, hash, advance: before ? before.advance : await this.mayAdvanceCheckpoint(tx) });
    return toEvent({ ...row, hash });
  }

  /** Appends in a transaction of its own (access events: reads, denials, logins). */
  append(actor: Actor | null, e: AuditInput): Promise<AuditEvent> {
    return this.db.transaction((tx) => this.appendTx(tx, actor, e));
  }

  /**
   * A checkpoint sealed for (count, head) as exported or printed now, so the copy carries a MAC-protected anchor
   * that `gliofuse audit verify --anchor COUNT:HEAD` checks against the log later. Null without a key.
   */
  checkpointForExport(count: number, head: string): Checkpoint | null {
    const key = this.integrity.key;
    return key ? sealCheckpoint(key, keyId(key), count, head, this.now().toISOString()) : null;
  }

  /**
   * Walks the whole chain in seq order, in pages (flat memory), under the rule each event was written with, then
   * compares the log with its checkpoint. Reads only: verification never writes and never appends.
   */
  async verify(): Promise<ChainStatus> {
    const walk = await this.walk();
    return judgeChain(walk, this.integrity);
  }

  private async walk(): Promise<ChainWalk> {
    const marker = await this.db.get<{ seq: number }>('SELECT seq FROM audit_events WHERE action = ? ORDER BY seq LIMIT 1', [KEYED_MARKER_ACTION]);
    const markerSeq = marker?.seq ?? null;
    const keyedFrom = this.integrity.key ? (markerSeq ?? 1) : null;
    let prev = GENESIS_HASH;
    let expectedSeq = 1;
    let count = 0;
    const page = 2000;
    const total = (await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events'))?.n ?? 0;
    const hashAt = new Map<number, string>();
    const cp = this.integrity.checkpointFile ? readCheckpoint(this.integrity.checkpointFile) : null;
    const cpCount = cp?.state === 'present' ? cp.checkpoint.count : null;
    const base = { keyedFrom, markerSeq, total, hashAt, checkpoint: cp };
    for (;;) {
      const rows = await this.db.all<AuditRow>('SELECT * FROM audit_events WHERE seq >= ? ORDER BY seq LIMIT ?', [expectedSeq, page]);
      for (const r of rows) {
        if (r.seq !== expectedSeq) return { ...base, ok: false, count, head: prev, firstBrokenSeq: expectedSeq, reason: `event ${expectedSeq} is missing` };
        if (r.prev_hash !== prev) return { ...base, ok: false, count, head: prev, firstBrokenSeq: r.seq, reason: `event ${r.seq} does not link to event ${r.seq - 1}` };
        const { hash, ...rest } = r;
        if (this.hashOf(rest, keyedFrom) !== hash) {
          const why = keyedFrom !== null && r.seq >= keyedFrom ? ' (or written without this database\'s audit key)' : '';
          return { ...base, ok: false, count, head: prev, firstBrokenSeq: r.seq, reason: `event ${r.seq} was altered after it was written${why}` };
        }
        if (r.seq === cpCount) hashAt.set(r.seq, hash);
        prev = hash;
        expectedSeq++;
        count++;
      }
      if (rows.length < page) break;
    }
    return { ...base, ok: true, count, head: prev, firstBrokenSeq: null, reason: null };
  }

  /** The newest event, with a checkpoint sealed for it (printed on reports as the log's anchor at that moment). */
  async head(): Promise<{ seq: number; hash: string; checkpoint: Checkpoint | null }> {
    const h = await this.db.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    const { seq, hash } = h ?? { seq: 0, hash: GENESIS_HASH };
    return { seq, hash, checkpoint: this.checkpointForExport(seq, hash) };
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
