/**
 * Opening a database for writing: find or create its audit key, and, for a log written before keyed audit, append
 * the "keyed from sequence N" event. The decision and the marker are taken inside one write transaction, so
 * several processes opening the same database at once (the app and CLI runs) agree: exactly one creates the key,
 * and no process can append a keyed event between the key's creation and the marker.
 */
import type { Db } from '../store/db.ts';
import { GliofuseError } from '../../shared/errors.ts';
import { KeyFileStore, keyFilePathFor, keyId, resolveAuditKey, type AuditKeyStore } from './audit-key.ts';
import { checkpointPathFor, readCheckpoint, sealCheckpoint, writeCheckpointAtomic } from './checkpoint.ts';
import { AuditLog, KEYED_MARKER_ACTION, firstEventUnkeyed } from './audit-log.ts';
import { GENESIS_HASH } from './canonical.ts';

/** The stores a headless process (CLI, bridge, tests) uses: the owner-only key file beside the database. */
export function defaultKeyStores(dbPath: string): AuditKeyStore[] {
  return [new KeyFileStore(keyFilePathFor(dbPath))];
}

function keyMissing(stores: readonly AuditKeyStore[]): GliofuseError {
  // This log was keyed once: a new key would make its history unverifiable and hide whatever removed the old one.
  return new GliofuseError('INTEGRITY', `The audit key of this database is missing (${stores.map((s) => s.description).join('; ')}) although its log was written with one; restore the key file from your backup (docs/store-and-audit.md). Nothing was changed.`);
}

/**
 * Returns the database's audit key, creating it when the database has none yet. `readonly` (a full disk) never
 * creates anything: a database without a key is then used under the unkeyed rule (null).
 */
export async function prepareAuditKey(db: Db, dbPath: string, stores: readonly AuditKeyStore[], opts: { appVersion: string; readonly?: boolean }): Promise<Buffer | null> {
  const existing = resolveAuditKey(stores, { create: false });
  // A store that lacks it (the app's keychain copy of a key the CLI made, or a deleted key file) gets it back.
  if (existing) return opts.readonly ? existing : resolveAuditKey(stores, { create: true });
  if (opts.readonly) return null;
  const cpFile = checkpointPathFor(dbPath);
  return db.transaction(async (tx) => {
    // Under the write lock: whoever got here first has created the key (and its marker) by now.
    const again = resolveAuditKey(stores, { create: false });
    if (again) return resolveAuditKey(stores, { create: true });
    const marker = await tx.get('SELECT 1 AS x FROM audit_events WHERE action = ? LIMIT 1', [KEYED_MARKER_ACTION]);
    if (readCheckpoint(cpFile).state !== 'missing' || marker) throw keyMissing(stores);
    const n = (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events'))?.n ?? 0;
    // Keyed events without their key (a database copied without its key file) are not an old unkeyed log.
    if (n > 0 && !(await firstEventUnkeyed(tx))) throw keyMissing(stores);
    const key = resolveAuditKey(stores, { create: true })!;
    if (n === 0) {
      // A new log: checkpoint (0, genesis) at once, so deleting every event later is detectable too.
      tx.afterCommit(() => {
        if (readCheckpoint(cpFile).state === 'missing') writeCheckpointAtomic(cpFile, sealCheckpoint(key, keyId(key), 0, GENESIS_HASH, new Date().toISOString()));
      });
    } else {
      // An unkeyed log from before keyed audit: its events keep the old rule up to this marker (which writes the
      // first checkpoint when the transaction commits).
      const log = new AuditLog(db, opts.appVersion, undefined, { key, checkpointFile: cpFile });
      await log.appendTx(tx, null, {
        action: KEYED_MARKER_ACTION, reason: `keyed from sequence ${n + 1}: the ${n} earlier events keep the unkeyed SHA-256 rule`,
        after: { keyedFromSeq: n + 1, keyId: keyId(key) },
      });
    }
    return key;
  });
}
