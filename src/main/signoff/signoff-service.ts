/**
 * Sign-off of the layered WHO CNS5 diagnosis (docs/signoff.md).
 *
 * Rules, each enforced here (the router enforces the role first, this service again so no other caller can skip it):
 * - only a pathologist saves a draft, signs or adds an addendum; admins and viewers cannot;
 * - signing and addenda need the signer's password again (a wrong one is refused, audited and counts towards lockout);
 * - when an AI result exists the pathologist either accepts it or overrides it with a reason; "accepted" with a
 *   grade other than the AI's top grade is refused as inconsistent;
 * - signing freezes the diagnosis (database triggers refuse any later UPDATE/DELETE), stores a signature over the
 *   canonical content with its sha256, and moves the case to `signed` — all in one transaction with its audit events;
 * - after signing, changes are only dated, signed addenda.
 */
import type { Db, Tx } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../../shared/actor.ts';
import type { UsersService } from '../auth/users-service.ts';
import type { PatientsRepo } from '../patients/patients-repo.ts';
import { GliofuseError, badInput } from '../../shared/errors.ts';
import type { AiAgreement, LayeredDiagnosis, Review } from '../../shared/contract/review.ts';
import { newestResult, resultById, type StoredResult } from './results-repo.ts';
import { whoGradeOfLabel } from './who-grade.ts';
import { addendumContent, diagnosisContent, sealContent, verifySealed, type AiSuggestionRef, type Signer } from './signed-content.ts';

interface DiagnosisRow {
  id: number;
  case_id: number;
  analysis_id: number | null;
  integrated_diagnosis: string;
  histological_classification: string;
  who_grade: string;
  molecular_information: string;
  comment: string;
  ai_agreement: AiAgreement | null;
  override_reason: string | null;
  state: 'draft' | 'signed';
  signature_id: number | null;
  updated_by_name: string;
  updated_at: string;
}

interface SignatureRow {
  id: number;
  case_id: number;
  kind: 'diagnosis' | 'addendum';
  signer_name: string;
  signer_role: string;
  signed_at: string;
  content_json: string;
  content_sha256: string;
}

interface AddendumRow {
  seq: number;
  text: string;
  created_at: string;
  signature_id: number;
}

export interface DraftInput {
  caseId: number;
  diagnosis: LayeredDiagnosis;
  aiAgreement?: AiAgreement | null | undefined;
  overrideReason?: string | null | undefined;
  analysisId?: number | null | undefined;
}

export interface SignInput extends DraftInput {
  password: string;
  aiAgreement: AiAgreement;
}

const MIN_REASON = 5;

function diagnosisOf(row: DiagnosisRow): Required<LayeredDiagnosis> {
  return {
    integratedDiagnosis: row.integrated_diagnosis,
    histologicalClassification: row.histological_classification,
    whoGrade: row.who_grade as LayeredDiagnosis['whoGrade'],
    molecularInformation: row.molecular_information,
    comment: row.comment,
  };
}

function suggestionRef(r: StoredResult): AiSuggestionRef {
  const top = (probs: { label: string; p: number }[], label: string) => probs.find((p) => p.label === label) ?? probs.reduce((a, b) => (b.p > a.p ? b : a));
  const g = top(r.result.grade.probs, r.result.grade.top);
  const c = top(r.result.molecularClass.probs, r.result.molecularClass.top);
  return {
    analysisId: r.analysisId,
    modelId: r.result.provenance.modelId,
    modelVersion: r.result.provenance.modelVersion,
    packageDigest: r.result.provenance.packageDigest,
    grade: { label: g.label, p: g.p },
    class: { label: c.label, p: c.p },
  };
}

/**
 * The WHO CNS5 rules' proposed layered diagnosis for a case (src/main/who-cns5/), injected by services.ts so this
 * capability does not import the rules. At signing the audit records whether the signed layers equal it.
 */
export type LayeredProposalSource = (caseId: number, tx: Tx) => Promise<{ integratedDiagnosis: string; whoGrade: string; molecularInformation: string } | null>;

export class SignoffService {
  /** Set by the composition root when the WHO CNS5 rules are available. */
  proposalSource: LayeredProposalSource | null = null;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly users: UsersService,
    private readonly patients: PatientsRepo,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // ---- reads ---------------------------------------------------------------------------------------------

  async review(caseId: number, analysisId?: number, tx: Pick<Tx, 'get' | 'all'> = this.db): Promise<Review> {
    const c = await this.patients.getCase(caseId, tx);
    const diag = await this.diagnosisRow(tx, caseId);
    // The signed diagnosis names the result it was made against; show that one unless another is asked for.
    const chosen = analysisId ?? (diag?.state === 'signed' ? diag.analysis_id : null) ?? undefined;
    const ai = chosen !== undefined ? await resultById(tx, caseId, chosen) : await newestResult(tx, caseId);
    const sigRows = await tx.all<SignatureRow>('SELECT * FROM signatures WHERE case_id = ? ORDER BY id', [caseId]);
    const sigById = new Map(sigRows.map((s) => [s.id, s]));
    const addRows = await tx.all<AddendumRow>('SELECT seq, text, created_at, signature_id FROM addenda WHERE case_id = ? ORDER BY seq', [caseId]);

    const sigInfo = (id: number | null, expect?: (content: Record<string, unknown>) => boolean) => {
      const s = id === null ? undefined : sigById.get(id);
      if (!s) return null;
      return { id: s.id, signerName: s.signer_name, signerRole: s.signer_role, signedAt: s.signed_at, sha256: s.content_sha256, verified: verifySealed(s.content_json, s.content_sha256, expect) };
    };
    const signature = diag?.state === 'signed'
      ? sigInfo(diag.signature_id, (content) => JSON.stringify(sortKeys(content.diagnosis)) === JSON.stringify(sortKeys(diagnosisOf(diag))) && content.aiAgreement === diag.ai_agreement)
      : null;

    let aiSuggestion: Review['aiSuggestion'] = null;
    if (ai) {
      const ref = suggestionRef(ai);
      const classIdx = ai.result.molecularClass.probs.findIndex((p) => p.label === ref.class.label);
      aiSuggestion = {
        analysisId: ai.analysisId,
        gradeLabel: ref.grade.label,
        gradeP: ref.grade.p,
        whoGrade: whoGradeOfLabel(ref.grade.label),
        classLabel: ref.class.label,
        classDisplay: ai.result.molecularClass.probs[classIdx]?.display ?? ref.class.label,
        classP: ref.class.p,
        modelId: ref.modelId,
        modelVersion: ref.modelVersion,
      };
    }

    return {
      caseId: c.id,
      patientPseudonym: c.patientPseudonym,
      accession: c.accession,
      caseStatus: c.status,
      ai: ai ? { analysisId: ai.analysisId, finishedAt: ai.finishedAt, result: ai.result } : null,
      aiSuggestion,
      diagnosis: diag
        ? {
            ...diagnosisOf(diag),
            state: diag.state,
            aiAgreement: diag.ai_agreement,
            overrideReason: diag.override_reason,
            analysisId: diag.analysis_id,
            updatedBy: diag.updated_by_name,
            updatedAt: diag.updated_at,
          }
        : null,
      signature,
      addenda: addRows.map((a) => ({
        seq: a.seq,
        text: a.text,
        createdAt: a.created_at,
        signature: sigInfo(a.signature_id, (content) => content.text === a.text && content.seq === a.seq)!,
      })),
    };
  }

  private diagnosisRow(tx: Pick<Tx, 'get'>, caseId: number): Promise<DiagnosisRow | undefined> {
    return tx.get<DiagnosisRow>(
      `SELECT d.*, u.display_name AS updated_by_name FROM diagnoses d JOIN users u ON u.id = d.updated_by WHERE d.case_id = ?`,
      [caseId],
    );
  }

  // ---- draft ---------------------------------------------------------------------------------------------

  async saveDraft(actor: Actor, input: DraftInput): Promise<Review> {
    this.requirePathologist(actor, 'save a diagnosis');
    return this.db.transaction(async (tx) => {
      const c = await this.patients.getCase(input.caseId, tx);
      const before = await this.diagnosisRow(tx, input.caseId);
      if (before?.state === 'signed' || c.status === 'signed') throw new GliofuseError('CONFLICT', `Case ${c.accession} is signed; corrections are made as addenda.`);
      if (c.status === 'archived') throw new GliofuseError('CONFLICT', `Case ${c.accession} is archived; it can no longer be edited.`);
      if (input.analysisId) await resultById(tx, input.caseId, input.analysisId);
      const d = input.diagnosis;
      const ts = this.now().toISOString();
      const values = [
        input.analysisId ?? null, d.integratedDiagnosis, d.histologicalClassification, d.whoGrade, d.molecularInformation, d.comment ?? '',
        input.aiAgreement ?? null, input.overrideReason?.trim() || null, actor.userId, ts,
      ];
      if (before) {
        await tx.run(
          `UPDATE diagnoses SET analysis_id = ?, integrated_diagnosis = ?, histological_classification = ?, who_grade = ?,
            molecular_information = ?, comment = ?, ai_agreement = ?, override_reason = ?, updated_by = ?, updated_at = ? WHERE case_id = ?`,
          [...values, input.caseId],
        );
      } else {
        await tx.run(
          `INSERT INTO diagnoses (analysis_id, integrated_diagnosis, histological_classification, who_grade, molecular_information, comment,
            ai_agreement, override_reason, updated_by, updated_at, case_id, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft')`,
          [...values, input.caseId],
        );
      }
      await this.audit.appendTx(tx, actor, {
        action: 'diagnosis.draft_saved', entityType: 'case', entityId: input.caseId, patientPseudonym: c.patientPseudonym,
        before: before ? { ...diagnosisOf(before), aiAgreement: before.ai_agreement, overrideReason: before.override_reason } : null,
        after: { ...d, comment: d.comment ?? '', aiAgreement: input.aiAgreement ?? null, overrideReason: input.overrideReason ?? null, analysisId: input.analysisId ?? null },
      });
      return this.review(input.caseId, input.analysisId ?? undefined, tx);
    });
  }

  // ---- signing -------------------------------------------------------------------------------------------

  async sign(actor: Actor, input: SignInput): Promise<Review> {
    const signer = await this.reauthenticate(actor, input.password, input.caseId, 'diagnosis.sign');
    try {
      return await this.db.transaction(async (tx) => {
        const c = await this.patients.getCase(input.caseId, tx);
        const existing = await this.diagnosisRow(tx, input.caseId);
        if (existing?.state === 'signed' || c.status === 'signed') throw new GliofuseError('CONFLICT', `Case ${c.accession} is already signed; add an addendum instead.`);
        if (c.status === 'archived') throw new GliofuseError('CONFLICT', `Case ${c.accession} is archived; it can no longer be signed.`);
        const ai = input.analysisId ? await resultById(tx, input.caseId, input.analysisId) : await newestResult(tx, input.caseId);
        const diagnosis = this.validateForSigning(input, ai);
        const ts = this.now().toISOString();
        const overrideReason = input.aiAgreement === 'overridden' ? (input.overrideReason ?? '').trim() : null;
        const sealed = sealContent(diagnosisContent({
          case: { caseId: c.id, patientPseudonym: c.patientPseudonym, accession: c.accession },
          diagnosis,
          aiAgreement: input.aiAgreement,
          overrideReason,
          aiSuggestion: ai ? suggestionRef(ai) : null,
          signer,
          signedAt: ts,
        }));
        const { lastID: signatureId } = await tx.run(
          `INSERT INTO signatures (case_id, kind, signer_id, signer_name, signer_role, signed_at, content_json, content_sha256)
           VALUES (?, 'diagnosis', ?, ?, ?, ?, ?, ?)`,
          [c.id, signer.userId, signer.displayName, signer.role, ts, sealed.json, sealed.sha256],
        );
        const cols = [ai?.analysisId ?? null, diagnosis.integratedDiagnosis, diagnosis.histologicalClassification, diagnosis.whoGrade,
          diagnosis.molecularInformation, diagnosis.comment, input.aiAgreement, overrideReason, signer.userId, ts, signatureId];
        if (existing) {
          await tx.run(
            `UPDATE diagnoses SET analysis_id = ?, integrated_diagnosis = ?, histological_classification = ?, who_grade = ?, molecular_information = ?,
              comment = ?, ai_agreement = ?, override_reason = ?, updated_by = ?, updated_at = ?, signature_id = ?, state = 'signed' WHERE case_id = ?`,
            [...cols, c.id],
          );
        } else {
          await tx.run(
            `INSERT INTO diagnoses (analysis_id, integrated_diagnosis, histological_classification, who_grade, molecular_information, comment,
              ai_agreement, override_reason, updated_by, updated_at, signature_id, case_id, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'signed')`,
            [...cols, c.id],
          );
        }
        const signerActor: Actor = { userId: signer.userId, username: signer.username, displayName: signer.displayName, role: 'pathologist' };
        const whoCns5Proposal = await this.proposalOutcome(c.id, diagnosis, tx);
        await this.audit.appendTx(tx, signerActor, {
          action: 'diagnosis.signed', entityType: 'case', entityId: c.id, patientPseudonym: c.patientPseudonym,
          after: { signatureId, sha256: sealed.sha256, diagnosis, aiAgreement: input.aiAgreement, overrideReason, analysisId: ai?.analysisId ?? null, whoCns5Proposal },
        });
        await this.patients.setStatusTx(tx, signerActor, c.id, 'signed', `signed by ${signer.displayName}`);
        return this.review(c.id, ai?.analysisId, tx);
      });
    } catch (err) {
      await this.auditRefusal(actor, input.caseId, 'diagnosis.sign', err);
      throw err;
    }
  }

  async addAddendum(actor: Actor, input: { caseId: number; text: string; password: string }): Promise<Review> {
    const signer = await this.reauthenticate(actor, input.password, input.caseId, 'diagnosis.addendum');
    try {
      return await this.db.transaction(async (tx) => {
        const c = await this.patients.getCase(input.caseId, tx);
        const diag = await this.diagnosisRow(tx, input.caseId);
        if (diag?.state !== 'signed' || diag.signature_id === null) throw new GliofuseError('CONFLICT', `Case ${c.accession} has no signed diagnosis yet; edit and sign the diagnosis instead of adding an addendum.`);
        const parent = await tx.get<{ content_sha256: string }>('SELECT content_sha256 FROM signatures WHERE id = ?', [diag.signature_id]);
        const seq = ((await tx.get<{ n: number | null }>('SELECT MAX(seq) AS n FROM addenda WHERE case_id = ?', [c.id]))?.n ?? 0) + 1;
        const text = input.text.trim();
        if (!text) throw badInput('The addendum is empty; write what it adds or corrects.');
        const ts = this.now().toISOString();
        const sealed = sealContent(addendumContent({
          case: { caseId: c.id, patientPseudonym: c.patientPseudonym, accession: c.accession },
          seq, text, amendsSignatureSha256: parent?.content_sha256 ?? '', signer, signedAt: ts,
        }));
        const { lastID: signatureId } = await tx.run(
          `INSERT INTO signatures (case_id, kind, signer_id, signer_name, signer_role, signed_at, content_json, content_sha256)
           VALUES (?, 'addendum', ?, ?, ?, ?, ?, ?)`,
          [c.id, signer.userId, signer.displayName, signer.role, ts, sealed.json, sealed.sha256],
        );
        await tx.run('INSERT INTO addenda (case_id, seq, text, signature_id, created_at) VALUES (?, ?, ?, ?, ?)', [c.id, seq, text, signatureId, ts]);
        await this.audit.appendTx(tx, { userId: signer.userId, username: signer.username, displayName: signer.displayName, role: 'pathologist' }, {
          action: 'diagnosis.addendum_added', entityType: 'case', entityId: c.id, patientPseudonym: c.patientPseudonym,
          after: { seq, text, signatureId, sha256: sealed.sha256, signedAt: ts },
        });
        return this.review(c.id, undefined, tx);
      });
    } catch (err) {
      await this.auditRefusal(actor, input.caseId, 'diagnosis.addendum', err);
      throw err;
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  /** Whether the signed layers are the rules' proposal as it stood at signing ("accepted as proposed") or not. */
  private async proposalOutcome(caseId: number, d: Required<LayeredDiagnosis>, tx: Tx): Promise<{ outcome: 'accepted_as_proposed' | 'edited' | 'no_proposal'; proposed: unknown }> {
    const p = this.proposalSource ? await this.proposalSource(caseId, tx) : null;
    if (!p) return { outcome: 'no_proposal', proposed: null };
    const same = (a: string, b: string) => a.trim() === b.trim();
    const accepted = same(d.integratedDiagnosis, p.integratedDiagnosis) && same(d.whoGrade, p.whoGrade) && same(d.molecularInformation, p.molecularInformation);
    return { outcome: accepted ? 'accepted_as_proposed' : 'edited', proposed: p };
  }

  private requirePathologist(actor: Actor, what: string): void {
    if (actor.role !== 'pathologist') throw new GliofuseError('FORBIDDEN', `Only a pathologist can ${what}; your role is ${actor.role}.`);
  }

  /**
   * Password re-entry. The users service audits the attempt (auth.reauthenticate) and counts failures towards the
   * lockout; here a wrong password becomes FORBIDDEN (not UNAUTHENTICATED, which would end the user's session).
   * The fresh account row decides the role, so a pathologist demoted since login can no longer sign.
   */
  private async reauthenticate(actor: Actor, password: string, caseId: number, action: string): Promise<Signer> {
    if (actor.role !== 'pathologist') {
      await this.auditRefusal(actor, caseId, action, new GliofuseError('FORBIDDEN', `role ${actor.role} may not sign`));
      this.requirePathologist(actor, 'sign');
    }
    let fresh: Actor;
    try {
      fresh = await this.users.authenticate(actor.username, password, 'sign');
    } catch (err) {
      const refused = err instanceof GliofuseError && err.code === 'LOCKED'
        ? new GliofuseError('FORBIDDEN', `${err.message} Nothing was signed.`)
        : new GliofuseError('FORBIDDEN', 'The password is not correct; nothing was signed.');
      await this.auditRefusal(actor, caseId, action, refused);
      throw refused;
    }
    if (fresh.userId !== actor.userId || fresh.role !== 'pathologist') {
      const refused = new GliofuseError('FORBIDDEN', `Only a pathologist can sign; this account's role is now ${fresh.role}.`);
      await this.auditRefusal(actor, caseId, action, refused);
      throw refused;
    }
    return { userId: fresh.userId, username: fresh.username, displayName: fresh.displayName, role: fresh.role };
  }

  private validateForSigning(input: SignInput, ai: StoredResult | null): Required<LayeredDiagnosis> {
    const d = input.diagnosis;
    const missing = [
      !d.integratedDiagnosis && 'integrated diagnosis',
      !d.histologicalClassification && 'histological classification',
      !d.whoGrade && 'CNS WHO grade',
      !d.molecularInformation && 'molecular information',
    ].filter(Boolean);
    if (missing.length) throw badInput(`Fill in every layer before signing (missing: ${missing.join(', ')}).`);
    if (ai && input.aiAgreement === 'not_used') throw badInput('An AI suggestion exists for this case; accept it or override it with a reason before signing.');
    if (!ai && input.aiAgreement !== 'not_used') throw badInput('There is no AI result for this case to accept or override; sign with "AI not used".');
    if (input.aiAgreement === 'overridden' && (input.overrideReason ?? '').trim().length < MIN_REASON) {
      throw badInput(`Give a reason for overriding the AI suggestion (at least ${MIN_REASON} characters).`);
    }
    if (ai && input.aiAgreement === 'accepted') {
      const aiGrade = whoGradeOfLabel(suggestionRef(ai).grade.label);
      if (aiGrade !== null && aiGrade !== d.whoGrade) {
        throw badInput(`Your CNS WHO grade (${d.whoGrade}) differs from the AI-suggested grade (${aiGrade}; the AI predicts the histological grade recorded in TCGA, pre-2021); choose "override" and give a reason.`);
      }
    }
    return { ...d, comment: d.comment ?? '' };
  }

  private async auditRefusal(actor: Actor, caseId: number, action: string, err: unknown): Promise<void> {
    const code = err instanceof GliofuseError ? err.code : 'INTERNAL';
    const reason = err instanceof GliofuseError ? err.message : 'internal error';
    const pseudonym = await this.patients.getCase(caseId).then((c) => c.patientPseudonym, () => null);
    await this.audit.append(actor, { action, entityType: 'case', entityId: caseId, patientPseudonym: pseudonym, outcome: code === 'FORBIDDEN' ? 'denied' : 'failure', reason }).catch(() => undefined);
  }
}

function sortKeys(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
