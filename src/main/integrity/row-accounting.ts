/**
 * Every row of an audited table is accounted for by the event that created it, and every such event still has its
 * row: a patient, case, slide, profile, analysis, signature, report or account inserted or deleted with the sqlite3
 * tool (behind the application's back) shows up here even when the audit chain itself is intact.
 */
import type { Db } from '../store/db.ts';

export interface AccountingRule {
  table: string;
  /** What the rows are called in messages. */
  noun: string;
  /** The successful event actions that create one row each. */
  actions: readonly string[];
  /** Where the created row's id is in the event: the entity id, or a JSON path in after_json. */
  idFrom: { entityType: string } | { afterPath: string };
}

/** Which event creates which row (the services' appendTx calls next to each INSERT). */
export const ACCOUNTING_RULES: readonly AccountingRule[] = [
  { table: 'users', noun: 'account', actions: ['user.setup_admin', 'user.created'], idFrom: { entityType: 'user' } },
  { table: 'patients', noun: 'patient', actions: ['patient.created'], idFrom: { entityType: 'patient' } },
  { table: 'cases', noun: 'case', actions: ['case.created'], idFrom: { entityType: 'case' } },
  { table: 'slides', noun: 'slide', actions: ['slide.attached'], idFrom: { entityType: 'slide' } },
  { table: 'genomic_profiles', noun: 'genomic profile', actions: ['genomics.imported'], idFrom: { entityType: 'genomic_profile' } },
  { table: 'analyses', noun: 'analysis', actions: ['analysis.requested'], idFrom: { entityType: 'analysis' } },
  { table: 'signatures', noun: 'signature', actions: ['diagnosis.signed', 'diagnosis.addendum_added'], idFrom: { afterPath: '$.signatureId' } },
  { table: 'reports', noun: 'report', actions: ['report.exported'], idFrom: { afterPath: '$.reportId' } },
];

const SHOW = 5;
const list = (ids: number[]): string => `${ids.slice(0, SHOW).join(', ')}${ids.length > SHOW ? ` and ${ids.length - SHOW} more` : ''}`;

export async function accountRows(db: Pick<Db, 'all' | 'get'>, rules: readonly AccountingRule[] = ACCOUNTING_RULES): Promise<string[]> {
  const problems: string[] = [];
  const tables = new Set((await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name));
  for (const r of rules) {
    if (!tables.has(r.table)) continue;
    const marks = r.actions.map(() => '?').join(', ');
    const idExpr = 'entityType' in r.idFrom ? 'CAST(entity_id AS INTEGER)' : 'CAST(json_extract(after_json, ?) AS INTEGER)';
    const idParams = 'entityType' in r.idFrom ? [] : [r.idFrom.afterPath];
    const typeClause = 'entityType' in r.idFrom ? 'AND entity_type = ?' : '';
    const typeParams = 'entityType' in r.idFrom ? [r.idFrom.entityType] : [];
    // NULL ids are filtered out: a single NULL would turn every NOT IN below into NULL (no row reported).
    const events = `SELECT id FROM (SELECT ${idExpr} AS id FROM audit_events WHERE action IN (${marks}) ${typeClause} AND outcome = 'success') WHERE id IS NOT NULL`;
    const params = [...idParams, ...r.actions, ...typeParams];

    const orphans = await db.all<{ id: number }>(`SELECT id FROM ${r.table} WHERE id NOT IN (${events}) ORDER BY id`, params);
    if (orphans.length) problems.push(`${r.table}: ${r.noun} ${list(orphans.map((o) => o.id))} ha${orphans.length === 1 ? 's' : 've'} no ${r.actions.join('/')} event (inserted outside Gliofuse)`);

    const gone = await db.all<{ id: number }>(`SELECT e.id FROM (${events}) e WHERE e.id NOT IN (SELECT id FROM ${r.table}) ORDER BY e.id`, params);
    if (gone.length) problems.push(`${r.table}: ${r.noun} ${list(gone.map((g) => g.id))} ha${gone.length === 1 ? 's' : 've'} a creating event but no row (deleted outside Gliofuse)`);

    // SQLite reuses the highest id after the last row is deleted, so a deleted row can hide behind a new one.
    const twice = await db.all<{ id: number }>(`SELECT e.id FROM (${events}) e GROUP BY e.id HAVING COUNT(*) > 1 ORDER BY e.id`, params);
    if (twice.length) problems.push(`${r.table}: ${r.noun} ${list(twice.map((t) => t.id))} was created more than once (a row was deleted outside Gliofuse and its id reused)`);
  }
  return problems;
}
