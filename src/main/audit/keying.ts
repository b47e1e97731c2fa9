/**
 * Opening a database for writing: find or create its audit key, and decide whether the log must be marked
 * "keyed from sequence N" (an unkeyed log written before keyed audit existed). Runs after migrations, before any
 * service appends.
 */
import type { Db } from '../store/db.ts';
import { GliofuseError } from '../../shared/errors.ts';
import { KeyFileStore, keyFilePathFor, resolveAuditKey, type AuditKeyStore } from './audit-key.ts';
import { checkpointPathFor, readCheckpoint } from './checkpoint.ts';

export interface PreparedKey {
  key: Buffer;
  /** Events already in an unkeyed log (the caller appends the "keyed from" marker); 0 when nothing to mark. */
  legacyEvents: number;
  /** True when the key was made just now for an empty log (the caller writes the count-0 checkpoint). */
  fresh: boolean;
}

/** The stores a headless process (CLI, bridge, tests) uses: the owner-only key file beside the database. */
export function defaultKeyStores(dbPath: string): AuditKeyStore[] {
  return [new KeyFileStore(keyFilePathFor(dbPath))];
}

export async function prepareAuditKey(db: Db, dbPath: string, stores: readonly AuditKeyStore[]): Promise<PreparedKey> {
  // Read the evidence of an earlier key BEFORE looking for the key: a process that creates a key writes the key
  // first and the checkpoint after, so a checkpoint seen here implies its key is already on disk (no false alarm
  // when several processes open a new database at once).
  const cp = readCheckpoint(checkpointPathFor(dbPath));
  const marker = await db.get('SELECT 1 AS x FROM audit_events WHERE action = ? LIMIT 1', ['audit.chain_keyed']);
  const existing = resolveAuditKey(stores, { create: false });
  if (existing) {
    // A store that lacks it (the app's keychain copy of a key the CLI made, or a deleted key file) gets it back.
    return { key: resolveAuditKey(stores, { create: true })!, legacyEvents: 0, fresh: false };
  }
  if (cp.state !== 'missing' || marker) {
    // This log was keyed once: a new key would make its history unverifiable and hide whatever removed the old one.
    throw new GliofuseError('INTEGRITY', `The audit key of this database is missing (${stores.map((s) => s.description).join('; ')}) although its log was written with one; restore the key file from your backup (docs/store-and-audit.md). Nothing was changed.`);
  }
  const n = (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events'))?.n ?? 0;
  const key = resolveAuditKey(stores, { create: true })!;
  return { key, legacyEvents: n, fresh: n === 0 };
}
