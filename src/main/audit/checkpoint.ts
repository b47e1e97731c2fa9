/**
 * The audit checkpoint: (count, head) of the log, written OUTSIDE the database after every commit that appended
 * events, as `<db>.audit-checkpoint`, atomically (temporary file, fsync, rename) and MAC'd with the audit key.
 * A database that has fewer events than its checkpoint was truncated or replaced by an older copy; a database whose
 * event at the checkpoint's count has another hash was rewritten. The same (count, head) is printed in every PDF
 * report and every audit export, so copies kept elsewhere anchor the log too.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { canonicalJson } from './canonical.ts';

export const CHECKPOINT_FORMAT = 'gliofuse-audit-checkpoint/1';

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  count: number;
  head: string;
  /** Fingerprint of the key that MAC'd it (audit-key.ts keyId). */
  keyId: string;
  writtenAt: string;
  /** hmac_sha256_hex(key, canonical(checkpoint without mac)). */
  mac: string;
}

export const checkpointPathFor = (dbPath: string): string => `${dbPath}.audit-checkpoint`;

export function checkpointMac(key: Buffer, c: Omit<Checkpoint, 'mac'>): string {
  const body = { format: c.format, count: c.count, head: c.head, keyId: c.keyId, writtenAt: c.writtenAt };
  return crypto.createHmac('sha256', key).update(canonicalJson(body), 'utf8').digest('hex');
}

export function sealCheckpoint(key: Buffer, keyIdHex: string, count: number, head: string, writtenAt: string): Checkpoint {
  const body = { format: CHECKPOINT_FORMAT, count, head, keyId: keyIdHex, writtenAt } as const;
  return { ...body, mac: checkpointMac(key, body) };
}

export type CheckpointRead =
  | { state: 'missing' }
  | { state: 'unreadable'; reason: string }
  | { state: 'present'; checkpoint: Checkpoint };

/** Reads without judging the MAC (the verifier does that with the key). */
export function readCheckpoint(file: string): CheckpointRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    return { state: 'unreadable', reason: (err as NodeJS.ErrnoException).code ?? 'read failed' };
  }
  try {
    const o = JSON.parse(text) as Partial<Checkpoint>;
    if (o.format !== CHECKPOINT_FORMAT || !Number.isInteger(o.count) || typeof o.head !== 'string' || typeof o.keyId !== 'string'
      || typeof o.writtenAt !== 'string' || typeof o.mac !== 'string') return { state: 'unreadable', reason: 'not a Gliofuse audit checkpoint' };
    return { state: 'present', checkpoint: o as Checkpoint };
  } catch {
    return { state: 'unreadable', reason: 'not valid JSON' };
  }
}

/** temp + fsync + rename: a reader sees the old checkpoint or the new one, never half of one. */
export function writeCheckpointAtomic(file: string, c: Checkpoint): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeFileSync(fd, `${JSON.stringify(c, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  // No fsync of the folder: losing the rename in a power cut leaves the previous checkpoint, which is merely behind.
}

/** One line for PDFs and exports: enough to re-check the log against this copy later. */
export function describeCheckpoint(c: Pick<Checkpoint, 'count' | 'head' | 'writtenAt' | 'mac'>): string {
  return `${c.count} events, head ${c.head}, written ${c.writtenAt}, MAC ${c.mac.slice(0, 16)}`;
}
