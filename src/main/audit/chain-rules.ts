/**
 * The verdicts of audit verification, as pure functions of what was read (the walk of the chain and the checkpoint
 * file), so every message is tested without a database. Messages are distinct on purpose: "no checkpoint",
 * "count behind", "head differs", "not written with this key" each point at a different event in the world.
 */
import crypto from 'node:crypto';
import { keyId } from './audit-key.ts';
import { GENESIS_HASH } from './canonical.ts';
import { checkpointMac, type Checkpoint, type CheckpointRead } from './checkpoint.ts';
import type { ChainStatus, CheckpointStatus } from '../../shared/contract/audit.ts';

export interface ChainWalk {
  ok: boolean;
  /** Events verified before a break (all of them when ok). */
  count: number;
  head: string;
  firstBrokenSeq: number | null;
  reason: string | null;
  /** Rows in audit_events, whatever their state. */
  total: number;
  /** Seq of the first keyed event (null: no key to check with). */
  keyedFrom: number | null;
  /** Seq of the "keyed from here" marker, if the log has one. */
  markerSeq: number | null;
  /** The hash of the event at the checkpoint's count, when the walk reached it. */
  hashAt: Map<number, string>;
  checkpoint: CheckpointRead | null;
}

export type CheckpointVerdict = { state: 'ok' | 'forged' | 'other-key' | 'behind' | 'differs'; message: string | null };

function macOk(key: Buffer, cp: Checkpoint): boolean {
  const want = Buffer.from(checkpointMac(key, cp), 'hex');
  const got = Buffer.from(cp.mac, 'hex');
  return want.length === got.length && crypto.timingSafeEqual(want, got);
}

/** Compares one checkpoint with the log: `hashAtCount` is the log's hash at the checkpoint's count (null: none). */
export function compareCheckpoint(key: Buffer, cp: Checkpoint, hashAtCount: string | null, logCount: number, file = 'the checkpoint'): CheckpointVerdict {
  if (cp.keyId !== keyId(key)) {
    return { state: 'other-key', message: `${file} was written with another audit key (key id ${cp.keyId}, this database's key is ${keyId(key)}): the key file or the checkpoint was replaced` };
  }
  if (!macOk(key, cp)) return { state: 'forged', message: `${file} does not carry this database's audit key MAC: it was edited or forged` };
  if (logCount < cp.count) {
    return { state: 'behind', message: `count behind: the log has ${logCount} events but ${file} (written ${cp.writtenAt}) recorded ${cp.count}: events were deleted or the database was replaced by an older copy` };
  }
  if (hashAtCount !== cp.head) {
    return { state: 'differs', message: `head differs: event ${cp.count} ${hashAtCount ? `has hash ${hashAtCount.slice(0, 16)}…` : 'cannot be read'} but ${file} (written ${cp.writtenAt}) recorded ${cp.head.slice(0, 16)}…: the log was rewritten or replaced` };
  }
  return { state: 'ok', message: null };
}

export interface JudgeOptions {
  key: Buffer | null;
  checkpointFile: string | null;
  /** Where the key was looked for, for "the audit key is missing (…)". */
  keyDescription?: string;
}

/** Combines the walk and the checkpoint into the public status; `problems` lists every finding, `reason` the first. */
export function judgeChain(w: ChainWalk, o: JudgeOptions): ChainStatus {
  const problems: string[] = [];
  if (!w.ok && w.reason) problems.push(w.reason);
  let checkpoint: CheckpointStatus | null = null;
  let brokenAt: number | null = w.firstBrokenSeq;
  const cp = w.checkpoint;
  const where = o.keyDescription ? ` (${o.keyDescription})` : '';

  if (!o.key) {
    // Without a key only a log that never had one (written before keyed audit) can be judged.
    if (w.markerSeq !== null || (cp && cp.state !== 'missing')) {
      problems.push(`the audit key of this database is missing${where}: its keyed events and checkpoint cannot be verified; restore the key file from your backup`);
    }
  } else if (o.checkpointFile && cp) {
    if (cp.state === 'missing') {
      checkpoint = { state: 'missing', count: null, head: null, writtenAt: null };
      problems.push(`no checkpoint: ${o.checkpointFile} is missing, so deletion of the newest events or replacement of the database by an older copy cannot be ruled out`);
    } else if (cp.state === 'unreadable') {
      checkpoint = { state: 'unreadable', count: null, head: null, writtenAt: null };
      problems.push(`the checkpoint ${o.checkpointFile} is damaged (${cp.reason})`);
    } else {
      const c = cp.checkpoint;
      const v = compareCheckpoint(o.key, c, c.count === 0 ? GENESIS_HASH : (w.hashAt.get(c.count) ?? null), w.total, 'the checkpoint');
      // A break in the walk before the checkpoint's count already explains a missing hash; report the break, not a second cause.
      const masked = v.state === 'differs' && !w.ok && w.firstBrokenSeq !== null && w.firstBrokenSeq <= c.count;
      checkpoint = { state: masked ? 'ok' : v.state, count: c.count, head: c.head, writtenAt: c.writtenAt };
      if (v.message && !masked) problems.push(v.message);
      if (brokenAt === null && v.state === 'behind') brokenAt = w.total + 1;
      if (brokenAt === null && v.state === 'differs') brokenAt = c.count;
    }
  }
  return {
    ok: problems.length === 0,
    count: w.count,
    head: w.head,
    firstBrokenSeq: brokenAt,
    reason: problems[0] ?? null,
    keyed: o.key !== null && w.keyedFrom !== null,
    keyedFromSeq: w.keyedFrom,
    checkpoint,
    problems,
  };
}
