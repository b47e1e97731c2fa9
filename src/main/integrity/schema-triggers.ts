/**
 * The database's triggers must be exactly the ones this build's migrations create: the append-only audit log and
 * the immutable signatures rest on them. The expected set is obtained the only reliable way, by applying the same
 * migration files to a private in-memory database and reading its sqlite_master (no SQL parsing of our own).
 */
import { Db } from '../store/db.ts';
import { loadMigrations, migrate, type Migration } from '../store/migrate.ts';

export interface TriggerSql {
  name: string;
  table: string;
  sql: string;
}

const normalise = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

export async function readTriggers(db: Pick<Db, 'all'>): Promise<TriggerSql[]> {
  const rows = await db.all<{ name: string; tbl_name: string; sql: string | null }>(
    "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
  );
  return rows.map((r) => ({ name: r.name, table: r.tbl_name, sql: normalise(r.sql ?? '') }));
}

let cached: { key: string; triggers: TriggerSql[] } | null = null;

/** The triggers a database migrated with `migrations` has (cached per migration set). */
export async function expectedTriggers(migrations: Migration[] = loadMigrations()): Promise<TriggerSql[]> {
  const key = migrations.map((m) => m.sha256).join(',');
  if (cached?.key === key) return cached.triggers;
  const mem = await Db.open(':memory:');
  try {
    await migrate(mem, migrations);
    const triggers = await readTriggers(mem);
    cached = { key, triggers };
    return triggers;
  } finally {
    await mem.close();
  }
}

/** One line per missing, altered or unexpected trigger (empty: the schema's triggers are the expected ones). */
export function compareTriggers(expected: readonly TriggerSql[], actual: readonly TriggerSql[]): string[] {
  const problems: string[] = [];
  const have = new Map(actual.map((t) => [t.name, t]));
  const want = new Map(expected.map((t) => [t.name, t]));
  for (const e of expected) {
    const a = have.get(e.name);
    if (!a) problems.push(`trigger ${e.name} on ${e.table} is missing (dropped outside Gliofuse)`);
    else if (a.sql !== e.sql) problems.push(`trigger ${e.name} on ${e.table} is not the SQL its migration created (altered outside Gliofuse)`);
  }
  for (const a of actual) {
    if (!want.has(a.name)) problems.push(`trigger ${a.name} on ${a.table} was not created by any Gliofuse migration`);
  }
  return problems;
}
