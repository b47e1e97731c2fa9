/**
 * Patients and cases. Every change and its audit event commit in one transaction. Audit events reference the
 * pseudonym only; PHI (MRN, name, sex, birth year) appears in before/after as a list of changed field names, never values.
 */
import type { Db, Tx } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../../shared/actor.ts';
import type { Case, Patient, PatientPhi } from '../../shared/contract/patients.ts';
import { CASE_STATUSES } from '../../shared/contract/patients.ts';
import { GliofuseError, badInput } from '../../shared/errors.ts';
import { checkManualMove, statusBeforeArchive } from '../store/case-status-rules.ts';
import { pseudonymKey, quoteForMessage } from '../../shared/text-safety.ts';
import { redactPatient } from '../auth/phi-access.ts';

type CaseStatus = (typeof CASE_STATUSES)[number];

interface PatientRow {
  id: number; pseudonym: string; created_at: string; updated_at: string;
  mrn: string | null; full_name: string | null; sex: PatientPhi['sex']; birth_year: number | null; case_count: number;
}
interface CaseRow {
  id: number; patient_id: number; pseudonym: string; accession: string; specimen: string; site: string;
  collected_on: string | null; received_on: string | null; status: CaseStatus; created_at: string; updated_at: string;
  slide_count: number; genomic_count: number;
}

const PATIENT_SELECT = `SELECT p.id, p.pseudonym, p.created_at, p.updated_at, ph.mrn, ph.full_name, ph.sex, ph.birth_year,
  (SELECT COUNT(*) FROM cases c WHERE c.patient_id = p.id) AS case_count
  FROM patients p LEFT JOIN patient_phi ph ON ph.patient_id = p.id`;
const CASE_SELECT = `SELECT c.*, p.pseudonym,
  (SELECT COUNT(*) FROM slides s WHERE s.case_id = c.id AND s.detached_at IS NULL) AS slide_count,
  (SELECT COUNT(*) FROM genomic_profiles g WHERE g.case_id = c.id) AS genomic_count
  FROM cases c JOIN patients p ON p.id = c.patient_id`;

function toPatient(r: PatientRow): Patient {
  return {
    id: r.id, pseudonym: r.pseudonym, caseCount: r.case_count, createdAt: r.created_at, updatedAt: r.updated_at,
    phi: { mrn: r.mrn, fullName: r.full_name, sex: r.sex ?? null, birthYear: r.birth_year },
  };
}
function toCase(r: CaseRow): Case {
  return {
    id: r.id, patientId: r.patient_id, patientPseudonym: r.pseudonym, accession: r.accession, specimen: r.specimen, site: r.site,
    collectedOn: r.collected_on, receivedOn: r.received_on, status: r.status, slideCount: r.slide_count, hasGenomics: r.genomic_count > 0,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

/** PHI changes are audited by field name only, so the audit log never becomes a second PHI store. */
function phiFieldsChanged(before: PatientPhi, after: PatientPhi): string[] {
  return (['mrn', 'fullName', 'sex', 'birthYear'] as const).filter((k) => (before[k] ?? null) !== (after[k] ?? null));
}

function clashMessage(wanted: string, existing: string): string {
  return wanted === existing
    ? `A patient with pseudonym "${existing}" already exists.`
    : `A patient with pseudonym "${existing}" already exists; pseudonyms are compared ignoring case and width, so "${wanted}" is the same patient.`;
}

/** A specimen cannot be collected or received before the patient's birth year (issue 12 §5). */
function checkDatesAfterBirth(birthYear: number | null | undefined, dates: { collectedOn?: string | null | undefined; receivedOn?: string | null | undefined }): void {
  if (!birthYear) return;
  for (const [what, d] of [['collection', dates.collectedOn], ['receipt', dates.receivedOn]] as const) {
    if (d && Number(d.slice(0, 4)) < birthYear) throw badInput(`The ${what} date ${d} is before the patient's birth year ${birthYear}.`);
  }
}

const likeEscape = (s: string) => `%${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

export class PatientsRepo {
  constructor(private readonly db: Db, private readonly audit: AuditLog, private readonly now: () => Date = () => new Date()) {}

  /**
   * `phi: false` (a role that may not see identifiers, src/main/auth/phi-access.ts): MRN and name are withheld and
   * the search matches pseudonyms only, so a search cannot be used to test which pseudonym an MRN belongs to.
   */
  async list(q: { search?: string | undefined; limit: number; offset: number }, access: { phi: boolean } = { phi: true }): Promise<{ total: number; patients: Patient[] }> {
    const where = !q.search ? '' : access.phi
      ? `WHERE p.pseudonym LIKE ? ESCAPE '\\' OR ph.mrn LIKE ? ESCAPE '\\' OR ph.full_name LIKE ? ESCAPE '\\'`
      : `WHERE p.pseudonym LIKE ? ESCAPE '\\'`;
    const params = q.search ? (access.phi ? [likeEscape(q.search), likeEscape(q.search), likeEscape(q.search)] : [likeEscape(q.search)]) : [];
    const total = (await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM patients p LEFT JOIN patient_phi ph ON ph.patient_id = p.id ${where}`, params))?.n ?? 0;
    const rows = await this.db.all<PatientRow>(`${PATIENT_SELECT} ${where} ORDER BY p.updated_at DESC, p.id DESC LIMIT ? OFFSET ?`, [...params, q.limit, q.offset]);
    const patients = rows.map(toPatient);
    return { total, patients: access.phi ? patients : patients.map(redactPatient) };
  }

  async get(id: number, tx: Pick<Tx, 'get'> = this.db): Promise<Patient> {
    const r = await tx.get<PatientRow>(`${PATIENT_SELECT} WHERE p.id = ?`, [id]);
    if (!r) throw new GliofuseError('NOT_FOUND', `No patient with id ${id}.`);
    return toPatient(r);
  }

  /**
   * The patient whose pseudonym equals this one after NFKC and case folding ("glio-0001" finds "GLIO-0001"). An
   * exact spelling wins first, so legacy case-variant duplicates from before migration 0030 stay reachable.
   */
  async byPseudonym(pseudonym: string): Promise<Patient> {
    const r = (await this.db.get<PatientRow>(`${PATIENT_SELECT} WHERE p.pseudonym = ?`, [pseudonym]))
      ?? (await this.db.get<PatientRow>(`${PATIENT_SELECT} WHERE p.pseudonym_key = ?`, [pseudonymKey(pseudonym)]));
    if (!r) throw new GliofuseError('NOT_FOUND', `No patient with pseudonym "${quoteForMessage(pseudonym)}".`);
    return toPatient(r);
  }

  /** The existing patient whose pseudonym collides with this one (same key), other than `exceptId`. */
  private async collision(tx: Pick<Tx, 'get'>, pseudonym: string, exceptId = 0): Promise<string | null> {
    const r = await tx.get<{ pseudonym: string }>('SELECT pseudonym FROM patients WHERE (pseudonym_key = ? OR pseudonym = ?) AND id <> ?', [pseudonymKey(pseudonym), pseudonym, exceptId]);
    return r?.pseudonym ?? null;
  }

  async create(actor: Actor, input: { pseudonym: string; phi: PatientPhi }): Promise<Patient> {
    const ts = this.now().toISOString();
    return this.db.transaction(async (tx) => {
      const clash = await this.collision(tx, input.pseudonym);
      if (clash !== null) throw new GliofuseError('CONFLICT', clashMessage(input.pseudonym, clash));
      const { lastID } = await tx.run('INSERT INTO patients (pseudonym, pseudonym_key, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [input.pseudonym, pseudonymKey(input.pseudonym), actor.userId, ts, ts]);
      await tx.run('INSERT INTO patient_phi (patient_id, mrn, full_name, sex, birth_year) VALUES (?, ?, ?, ?, ?)', [
        lastID, input.phi.mrn ?? null, input.phi.fullName ?? null, input.phi.sex ?? null, input.phi.birthYear ?? null,
      ]);
      const p = await this.get(lastID, tx);
      await this.audit.appendTx(tx, actor, { action: 'patient.created', entityType: 'patient', entityId: p.id, patientPseudonym: p.pseudonym, after: { pseudonym: p.pseudonym, phiFieldsSet: phiFieldsChanged({}, p.phi) } });
      return p;
    });
  }

  async update(actor: Actor, input: { id: number; pseudonym?: string | undefined; phi?: PatientPhi | undefined }): Promise<Patient> {
    return this.db.transaction(async (tx) => {
      const before = await this.get(input.id, tx);
      if (input.pseudonym && input.pseudonym !== before.pseudonym) {
        const clash = await this.collision(tx, input.pseudonym, input.id);
        if (clash !== null) throw new GliofuseError('CONFLICT', clashMessage(input.pseudonym, clash));
      }
      if (input.phi?.birthYear) await this.checkBirthBeforeCases(tx, input.id, input.phi.birthYear);
      const phi = { ...before.phi, ...(input.phi ?? {}) };
      await tx.run('UPDATE patients SET pseudonym = ?, updated_at = ? WHERE id = ?', [input.pseudonym ?? before.pseudonym, this.now().toISOString(), input.id]);
      await tx.run(
        `INSERT INTO patient_phi (patient_id, mrn, full_name, sex, birth_year) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(patient_id) DO UPDATE SET mrn = excluded.mrn, full_name = excluded.full_name, sex = excluded.sex, birth_year = excluded.birth_year`,
        [input.id, phi.mrn ?? null, phi.fullName ?? null, phi.sex ?? null, phi.birthYear ?? null],
      );
      const after = await this.get(input.id, tx);
      await this.audit.appendTx(tx, actor, {
        action: 'patient.updated', entityType: 'patient', entityId: after.id, patientPseudonym: after.pseudonym,
        before: { pseudonym: before.pseudonym }, after: { pseudonym: after.pseudonym, phiFieldsChanged: phiFieldsChanged(before.phi, after.phi) },
      });
      return after;
    });
  }

  /** A birth year later than an existing case's collection or receipt date is refused. */
  private async checkBirthBeforeCases(tx: Pick<Tx, 'get'>, patientId: number, birthYear: number): Promise<void> {
    const r = await tx.get<{ d: string | null }>("SELECT MIN(MIN(COALESCE(collected_on, '9999'), COALESCE(received_on, '9999'))) AS d FROM cases WHERE patient_id = ?", [patientId]);
    if (r?.d && r.d !== '9999' && Number(r.d.slice(0, 4)) < birthYear) throw badInput(`Birth year ${birthYear} is after this patient's specimen date ${r.d}.`);
  }

  // ---- cases ---------------------------------------------------------------------------------------------

  async listCases(q: { patientId?: number | undefined; status?: CaseStatus | undefined; search?: string | undefined; limit: number; offset: number }): Promise<{ total: number; cases: Case[] }> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.patientId !== undefined) { where.push('c.patient_id = ?'); params.push(q.patientId); }
    if (q.status) { where.push('c.status = ?'); params.push(q.status); }
    if (q.search) { where.push(`(c.accession LIKE ? ESCAPE '\\' OR p.pseudonym LIKE ? ESCAPE '\\' OR c.specimen LIKE ? ESCAPE '\\')`); params.push(likeEscape(q.search), likeEscape(q.search), likeEscape(q.search)); }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM cases c JOIN patients p ON p.id = c.patient_id ${w}`, params))?.n ?? 0;
    const rows = await this.db.all<CaseRow>(`${CASE_SELECT} ${w} ORDER BY c.updated_at DESC, c.id DESC LIMIT ? OFFSET ?`, [...params, q.limit, q.offset]);
    return { total, cases: rows.map(toCase) };
  }

  async getCase(id: number, tx: Pick<Tx, 'get'> = this.db): Promise<Case> {
    const r = await tx.get<CaseRow>(`${CASE_SELECT} WHERE c.id = ?`, [id]);
    if (!r) throw new GliofuseError('NOT_FOUND', `No case with id ${id}.`);
    return toCase(r);
  }

  async caseHistory(id: number): Promise<{ status: CaseStatus; changedBy: string; changedAt: string; note: string | null }[]> {
    const rows = await this.db.all<{ status: CaseStatus; display_name: string; changed_at: string; note: string | null }>(
      'SELECT h.status, u.display_name, h.changed_at, h.note FROM case_status_history h JOIN users u ON u.id = h.changed_by WHERE h.case_id = ? ORDER BY h.id', [id]);
    return rows.map((r) => ({ status: r.status, changedBy: r.display_name, changedAt: r.changed_at, note: r.note }));
  }

  async createCase(actor: Actor, input: { patientId: number; accession: string; specimen?: string | undefined; site?: string | undefined; collectedOn?: string | null | undefined; receivedOn?: string | null | undefined }): Promise<Case> {
    const ts = this.now().toISOString();
    return this.db.transaction(async (tx) => {
      const patient = await this.get(input.patientId, tx);
      checkDatesAfterBirth(patient.phi.birthYear, input);
      if (await tx.get('SELECT 1 FROM cases WHERE patient_id = ? AND accession = ?', [input.patientId, input.accession])) {
        throw new GliofuseError('CONFLICT', `Patient ${patient.pseudonym} already has a case with accession "${input.accession}".`);
      }
      const { lastID } = await tx.run(
        `INSERT INTO cases (patient_id, accession, specimen, site, collected_on, received_on, status, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'new', ?, ?, ?)`,
        [input.patientId, input.accession, input.specimen ?? '', input.site ?? '', input.collectedOn ?? null, input.receivedOn ?? null, actor.userId, ts, ts],
      );
      await tx.run("INSERT INTO case_status_history (case_id, status, changed_by, changed_at, note) VALUES (?, 'new', ?, ?, 'case opened')", [lastID, actor.userId, ts]);
      const c = await this.getCase(lastID, tx);
      await this.audit.appendTx(tx, actor, { action: 'case.created', entityType: 'case', entityId: c.id, patientPseudonym: c.patientPseudonym, after: c });
      return c;
    });
  }

  async updateCase(actor: Actor, input: { id: number; accession?: string | undefined; specimen?: string | undefined; site?: string | undefined; collectedOn?: string | null | undefined; receivedOn?: string | null | undefined }): Promise<Case> {
    return this.db.transaction(async (tx) => {
      const before = await this.getCase(input.id, tx);
      if (before.status === 'signed' || before.status === 'archived') throw new GliofuseError('CONFLICT', `Case ${before.accession} is ${before.status}; it can no longer be edited.`);
      const next = {
        accession: input.accession ?? before.accession, specimen: input.specimen ?? before.specimen, site: input.site ?? before.site,
        collectedOn: input.collectedOn === undefined ? before.collectedOn : input.collectedOn,
        receivedOn: input.receivedOn === undefined ? before.receivedOn : input.receivedOn,
      };
      checkDatesAfterBirth((await this.get(before.patientId, tx)).phi.birthYear, next);
      if (next.accession !== before.accession && (await tx.get('SELECT 1 FROM cases WHERE patient_id = ? AND accession = ? AND id <> ?', [before.patientId, next.accession, input.id]))) {
        throw new GliofuseError('CONFLICT', `This patient already has a case with accession "${next.accession}".`);
      }
      await tx.run('UPDATE cases SET accession = ?, specimen = ?, site = ?, collected_on = ?, received_on = ?, updated_at = ? WHERE id = ?', [
        next.accession, next.specimen, next.site, next.collectedOn, next.receivedOn, this.now().toISOString(), input.id,
      ]);
      const after = await this.getCase(input.id, tx);
      await this.audit.appendTx(tx, actor, { action: 'case.updated', entityType: 'case', entityId: after.id, patientPseudonym: after.patientPseudonym, before, after });
      return after;
    });
  }

  /**
   * A person's status change (cases.setStatus): only archive / reopen, with a reason (case-status-rules.ts). The
   * system's own moves (analysis jobs, sign-off) call setStatusTx inside their transactions.
   */
  async setStatus(actor: Actor, id: number, status: CaseStatus, note?: string): Promise<Case> {
    return this.db.transaction(async (tx) => {
      const current = await this.getCase(id, tx);
      checkManualMove(current.status, status, statusBeforeArchive(await this.caseHistoryTx(tx, id)), note);
      return this.setStatusTx(tx, actor, id, status, note);
    });
  }

  private async caseHistoryTx(tx: Tx, id: number): Promise<{ status: CaseStatus }[]> {
    return tx.all<{ status: CaseStatus }>('SELECT status FROM case_status_history WHERE case_id = ? ORDER BY id', [id]);
  }

  async setStatusTx(tx: Tx, actor: Actor, id: number, status: CaseStatus, note?: string): Promise<Case> {
    const before = await this.getCase(id, tx);
    if (before.status === status) return before;
    if (before.status === 'signed' && status !== 'archived') throw new GliofuseError('CONFLICT', 'A signed case can only be archived; corrections are made as addenda.');
    const ts = this.now().toISOString();
    await tx.run('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?', [status, ts, id]);
    await tx.run('INSERT INTO case_status_history (case_id, status, changed_by, changed_at, note) VALUES (?, ?, ?, ?, ?)', [id, status, actor.userId, ts, note ?? null]);
    const after = await this.getCase(id, tx);
    await this.audit.appendTx(tx, actor, { action: 'case.status_changed', entityType: 'case', entityId: id, patientPseudonym: after.patientPseudonym, before: { status: before.status }, after: { status }, reason: note ?? null });
    return after;
  }
}
