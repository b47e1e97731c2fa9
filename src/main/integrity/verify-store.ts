/**
 * Full verification of a Gliofuse database: the audit chain under its rules, the checkpoint beside it, the schema's
 * triggers, the migrations' recorded hashes and the accounting of audited rows by their creating events.
 * `verifyStoreFile` opens the file read-only and never writes: a mistyped path is "no database at PATH" (nothing is
 * created), and verification is not itself appended to the log it judges (that would extend a truncated chain).
 */
import path from 'node:path';
import { Db } from '../store/db.ts';
import { loadMigrations, type Migration } from '../store/migrate.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { resolveAuditKey, type AuditKeyStore } from '../audit/audit-key.ts';
import { checkpointPathFor } from '../audit/checkpoint.ts';
import { defaultKeyStores } from '../audit/keying.ts';
import { GENESIS_HASH } from '../audit/canonical.ts';
import { compareTriggers, expectedTriggers, readTriggers } from './schema-triggers.ts';
import { accountRows } from './row-accounting.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type { ChainStatus } from '../../shared/contract/audit.ts';

/** An (event count, head hash) pair printed on a report or export, to be checked against the log. */
export interface Anchor {
  count: number;
  head: string;
}

export function parseAnchor(text: string): Anchor | null {
  const m = /^(\d+):([0-9a-f]{64})$/i.exec(text.trim());
  return m ? { count: Number(m[1]), head: m[2]!.toLowerCase() } : null;
}

async function migrationProblems(db: Db, known: Migration[]): Promise<{ problems: string[]; applied: Migration[] }> {
  const rows = await db.all<{ version: number; name: string; sha256: string }>('SELECT version, name, sha256 FROM schema_migrations ORDER BY version');
  const problems: string[] = [];
  const applied: Migration[] = [];
  for (const r of rows) {
    const m = known.find((x) => x.version === r.version);
    if (!m) problems.push(`migration ${r.name} is not one this version of Gliofuse knows (a newer version wrote this database?)`);
    else if (m.sha256 !== r.sha256) problems.push(`migration ${r.name} is recorded with another hash than this build's file (edited)`);
    else applied.push(m);
  }
  return { problems, applied };
}

async function anchorProblems(db: Db, anchors: readonly Anchor[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of anchors) {
    const row = a.count === 0 ? { hash: GENESIS_HASH } : await db.get<{ hash: string }>('SELECT hash FROM audit_events WHERE seq = ?', [a.count]);
    if (!row) out.push(`anchor ${a.count}:${a.head.slice(0, 16)}…: the log has no event ${a.count} (events were deleted or the database was replaced)`);
    else if (row.hash !== a.head) out.push(`anchor ${a.count}:${a.head.slice(0, 16)}…: event ${a.count} has hash ${row.hash.slice(0, 16)}… (the log was rewritten or replaced)`);
  }
  return out;
}

/** The schema and row checks on top of the chain status (used by the app at start-up and by "verify now" too). */
export async function withStoreChecks(db: Db, chain: ChainStatus, extra: { migrations?: Migration[]; anchors?: readonly Anchor[] } = {}): Promise<ChainStatus> {
  const known = extra.migrations ?? loadMigrations();
  const mig = await migrationProblems(db, known);
  const triggers = compareTriggers(await expectedTriggers(mig.applied), await readTriggers(db));
  const rows = await accountRows(db);
  const anchors = await anchorProblems(db, extra.anchors ?? []);
  const problems = [...(chain.problems ?? (chain.reason ? [chain.reason] : [])), ...mig.problems, ...triggers, ...rows, ...anchors];
  return { ...chain, ok: problems.length === 0, reason: problems[0] ?? null, problems };
}

export interface VerifyFileOptions {
  /** Where the key is looked for (default: the owner-only key file beside the database). */
  keyStores?: readonly AuditKeyStore[];
  anchors?: readonly Anchor[];
}

/** Verifies the database at `dbPath` without writing anything. */
export async function verifyStoreFile(dbPath: string, o: VerifyFileOptions = {}): Promise<ChainStatus> {
  const file = path.resolve(dbPath);
  const db = await Db.open(file, { readonly: true });
  try {
    const tables = new Set((await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name));
    if (!tables.has('schema_migrations') || !tables.has('audit_events')) {
      throw new GliofuseError('STORAGE', `${file} is not a Gliofuse database (an SQLite file without Gliofuse's tables); check the --db path.`);
    }
    const stores = o.keyStores ?? defaultKeyStores(file);
    const key = resolveAuditKey(stores, { create: false });
    const audit = new AuditLog(db, 'verify', undefined, {
      key, checkpointFile: checkpointPathFor(file), keyDescription: stores.map((s) => s.description).join('; '),
    });
    return await withStoreChecks(db, await audit.verify(), { anchors: o.anchors });
  } finally {
    await db.close();
  }
}
