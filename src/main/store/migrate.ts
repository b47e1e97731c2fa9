/**
 * Applies numbered SQL migrations (`NNNN-name.sql`) in order, each in its own transaction, and records the
 * sha256 of every applied file. A shipped migration must never be edited: if an applied file's hash changed,
 * start-up refuses (INTEGRITY) rather than run against a schema nobody can reproduce.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';
import { GliofuseError } from '../../shared/errors.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  sha256: string;
}

/** The migrations folder sits next to this module in source and is copied next to the bundle in dist/. */
export function defaultMigrationsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'migrations'), path.join(here, 'store', 'migrations')];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new GliofuseError('INTERNAL', `migrations folder not found (looked in ${candidates.join(', ')})`);
  return found;
}

export function loadMigrations(dir = defaultMigrationsDir()): Migration[] {
  const files = fs.readdirSync(dir).filter((f) => /^\d{4}-[a-z0-9-]+\.sql$/.test(f)).sort();
  const seen = new Set<number>();
  return files.map((f) => {
    const version = Number(f.slice(0, 4));
    if (seen.has(version)) throw new GliofuseError('INTERNAL', `two migrations share number ${version}`);
    seen.add(version);
    const sql = fs.readFileSync(path.join(dir, f), 'utf8');
    return { version, name: f, sql, sha256: crypto.createHash('sha256').update(sql).digest('hex') };
  });
}

export async function migrate(db: Db, migrations = loadMigrations()): Promise<{ applied: string[] }> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const done = await db.all<{ version: number; name: string; sha256: string }>('SELECT version, name, sha256 FROM schema_migrations');
  const byVersion = new Map(done.map((r) => [r.version, r]));
  for (const r of done) {
    const m = migrations.find((x) => x.version === r.version);
    if (!m) throw new GliofuseError('INTEGRITY', `database has migration ${r.name} that this app does not know (newer app version?)`);
    if (m.sha256 !== r.sha256) throw new GliofuseError('INTEGRITY', `migration ${r.name} was edited after it was applied`);
  }
  const applied: string[] = [];
  for (const m of migrations) {
    if (byVersion.has(m.version)) continue;
    const ran = await db.transaction(async (tx) => {
      // Another process opening the same new database may have applied it since the list above was read
      // (first-run races: issue 12 §4); the IMMEDIATE transaction makes this re-check and the apply one step.
      if (await tx.get('SELECT 1 FROM schema_migrations WHERE version = ?', [m.version])) return false;
      await tx.exec(m.sql);
      await tx.run('INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)', [
        m.version, m.name, m.sha256, new Date().toISOString(),
      ]);
      return true;
    });
    if (ran) applied.push(m.name);
  }
  return { applied };
}
