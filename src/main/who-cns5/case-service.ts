/**
 * A case's WHO CNS5 view: the rules applied to the genomic profile the reviewed analysis used (else the case's
 * newest profile) and the pathologist's histology findings, compared with the AI result, and the layered diagnosis
 * the rules propose for sign-off. Histology findings are stored per case (migration 0010) and audited on save.
 */
import type { Db, Tx } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../../shared/actor.ts';
import type { PatientsRepo } from '../patients/patients-repo.ts';
import { GliofuseError } from '../../shared/errors.ts';
import { NO_HISTOLOGY, NO_MARKERS, type CaseMarkers, type HistologyFindings, type WhoClassification } from '../../shared/who-cns5.ts';
import type { WhoCaseView, LayeredProposal, ClinicalReferenceView } from '../../shared/contract/who-cns5.ts';
import type { ModelRegistry } from '../inference/model-packages.ts';
import { clinicalReferenceRisk, loadClinicalReference, primaryReferenceModel } from '../inference/clinical-reference.ts';
import type { AnalysisResult } from '../../shared/analysis-result.ts';
import { newestResult, resultById, type StoredResult } from '../signoff/results-repo.ts';
import { classify } from './engine.ts';
import { inputsFromValues } from './inputs.ts';
import { thresholdsFor, DEFAULT_PROFILE_SOURCE } from './thresholds.ts';
import { disagreements, proposalOf, type AiSummary } from './disagreement.ts';

interface HistRow {
  necrosis: number | null;
  microvascular_proliferation: number | null;
  mitotic_activity_elevated: number | null;
  tert_promoter_mutant: number | null;
  atrx_loss: number | null;
  tp53_mutant: number | null;
  h3_k27m: number | null;
  mgmt_methylated: number | null;
  updated_at: string;
  updated_by_name: string | null;
}

const bool = (v: number | null): boolean | null => (v === null ? null : v === 1);
const int = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);

/** The AI's top class and grade from a stored result. */
export function aiSummaryOf(result: AnalysisResult): AiSummary {
  const top = (probs: { label: string; display: string; p: number }[], label: string) => probs.find((p) => p.label === label) ?? probs.reduce((a, b) => (b.p > a.p ? b : a));
  const c = top(result.molecularClass.probs, result.molecularClass.top);
  const g = top(result.grade.probs, result.grade.top);
  return { classLabel: c.label, classDisplay: c.display, gradeLabel: g.label };
}

export class WhoCaseService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly patients: PatientsRepo,
    /** Model packages, for the clinical reference risk the result's package carries (optional). */
    private readonly models: Pick<ModelRegistry, 'get'> | null = null,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The clinical reference risk of the package that produced the result, from the values the analysis used (the
   * result's genomic attributions: measured values, imputed ones are missing); only from the very same package.
   */
  async clinicalReference(result: AnalysisResult | null): Promise<{ view: ClinicalReferenceView | null; note: string | null }> {
    if (!result) return { view: null, note: null };
    if (!this.models) return { view: null, note: 'Model packages are not available here.' };
    const pv = result.provenance;
    let pkg;
    try {
      pkg = await this.models.get(pv.modelId);
    } catch {
      return { view: null, note: `The ${pv.modelId} package is not installed or failed verification; its clinical reference cannot be shown.` };
    }
    if (pkg.digest !== pv.packageDigest) return { view: null, note: `The installed ${pv.modelId} package is not the one that produced this result; its clinical reference is not shown.` };
    const ref = loadClinicalReference(pkg.dir);
    if (!ref) return { view: null, note: `The ${pv.modelId} package carries no clinical reference model.` };
    const model = primaryReferenceModel(ref);
    const values: Record<string, number | null> = {};
    for (const a of result.explanations.genomicAttributions) values[a.featureId] = a.imputed ? null : a.value;
    const r = clinicalReferenceRisk(model, values);
    return {
      view: {
        modelId: model.id, label: model.label, risk: r.ok ? r.risk : null, riskGroup: r.ok ? r.riskGroup : null, missing: r.ok ? [] : r.missing,
        cIndexMean: model.cv.cIndexMean, cIndexSd: model.cv.cIndexSd, splits: model.cv.splits,
        addedValueLine: ref.addedValueLine, primarySurvival: ref.primarySurvival, aiRiskGroup: result.survival.riskGroup,
      },
      note: null,
    };
  }

  async histology(caseId: number, tx: Pick<Tx, 'get'> = this.db): Promise<{ findings: HistologyFindings; markers: CaseMarkers; updatedBy: string | null; updatedAt: string | null }> {
    const r = await tx.get<HistRow>(
      `SELECT h.*, u.display_name AS updated_by_name FROM histology_findings h LEFT JOIN users u ON u.id = h.updated_by WHERE h.case_id = ?`, [caseId]);
    if (!r) return { findings: NO_HISTOLOGY, markers: NO_MARKERS, updatedBy: null, updatedAt: null };
    return {
      findings: { necrosis: bool(r.necrosis), microvascularProliferation: bool(r.microvascular_proliferation), mitoticActivityElevated: bool(r.mitotic_activity_elevated) },
      markers: { tertPromoterMutant: bool(r.tert_promoter_mutant), atrxLoss: bool(r.atrx_loss), tp53Mutant: bool(r.tp53_mutant), h3K27M: bool(r.h3_k27m), mgmtPromoterMethylated: bool(r.mgmt_methylated) },
      updatedBy: r.updated_by_name, updatedAt: r.updated_at,
    };
  }

  /** The genomic values of a profile by feature id (imputed fields are null and stay missing). */
  private async profileValues(tx: Pick<Tx, 'get'>, caseId: number, profileId: number | null): Promise<{ id: number; values: Record<string, number | null> } | null> {
    const r = profileId !== null
      ? await tx.get<{ id: number; values_json: string }>('SELECT id, values_json FROM genomic_profiles WHERE id = ? AND case_id = ?', [profileId, caseId])
      : await tx.get<{ id: number; values_json: string }>('SELECT id, values_json FROM genomic_profiles WHERE case_id = ? ORDER BY id DESC LIMIT 1', [caseId]);
    if (!r) return null;
    const parsed = JSON.parse(r.values_json) as { values?: Record<string, number | null> };
    return { id: r.id, values: parsed.values ?? {} };
  }

  /** The criteria for a case as they stand (used by the view, the PDF and the sign-off audit). */
  async criteria(caseId: number, analysisId?: number, tx: Pick<Tx, 'get'> = this.db): Promise<{ ai: StoredResult | null; profileId: number | null; histology: Awaited<ReturnType<WhoCaseService['histology']>>; who: WhoClassification | null }> {
    const ai = analysisId !== undefined ? await resultById(tx, caseId, analysisId) : await newestResult(tx, caseId);
    const profile = await this.profileValues(tx, caseId, ai?.genomicId ?? null);
    const histology = await this.histology(caseId, tx);
    // Entered markers fill what the profile lacks (a CNV profile carries no TERT, ATRX, TP53, H3 or MGMT status).
    const who = profile ? classify(inputsFromValues(profile.values, histology.markers), histology.findings, thresholdsFor(DEFAULT_PROFILE_SOURCE)) : null;
    return { ai, profileId: profile?.id ?? null, histology, who };
  }

  /** The rules' layered diagnosis for sign-off (null without a genomic profile). */
  async proposal(caseId: number, tx: Pick<Tx, 'get'> = this.db): Promise<LayeredProposal | null> {
    return proposalOf((await this.criteria(caseId, undefined, tx)).who);
  }

  async view(caseId: number, analysisId?: number, tx: Pick<Tx, 'get'> = this.db): Promise<WhoCaseView> {
    const c = await this.patients.getCase(caseId, tx);
    const { ai, profileId, histology, who } = await this.criteria(caseId, analysisId, tx);
    const ref = await this.clinicalReference(ai?.result ?? null);
    return {
      caseId: c.id,
      patientPseudonym: c.patientPseudonym,
      analysisId: ai?.analysisId ?? null,
      genomicProfileId: profileId,
      histology: histology.findings,
      markers: histology.markers,
      histologyUpdatedBy: histology.updatedBy,
      histologyUpdatedAt: histology.updatedAt,
      criteria: who,
      unavailableReason: who ? null : 'The case has no genomic profile; the WHO CNS5 molecular criteria need at least IDH status.',
      disagreements: disagreements(ai ? aiSummaryOf(ai.result) : null, who),
      proposal: proposalOf(who),
      clinicalReference: ref.view,
      clinicalReferenceNote: ref.note,
    };
  }

  async saveHistology(actor: Actor, req: { caseId: number; histology: HistologyFindings; markers?: CaseMarkers | undefined; analysisId?: number | undefined }): Promise<WhoCaseView> {
    if (actor.role !== 'pathologist') throw new GliofuseError('FORBIDDEN', `Only a pathologist enters histology findings; your role is ${actor.role}.`);
    return this.db.transaction(async (tx) => {
      const c = await this.patients.getCase(req.caseId, tx);
      if (c.status === 'signed' || c.status === 'archived') throw new GliofuseError('CONFLICT', `Case ${c.accession} is ${c.status}; histology findings can no longer be changed.`);
      const before = await this.histology(req.caseId, tx);
      const h = req.histology;
      // Markers not sent keep their stored values (older clients send histology only).
      const mk = req.markers ?? before.markers;
      const ts = this.now().toISOString();
      await tx.run(
        `INSERT INTO histology_findings (case_id, necrosis, microvascular_proliferation, mitotic_activity_elevated,
           tert_promoter_mutant, atrx_loss, tp53_mutant, h3_k27m, mgmt_methylated, updated_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(case_id) DO UPDATE SET necrosis = excluded.necrosis, microvascular_proliferation = excluded.microvascular_proliferation,
           mitotic_activity_elevated = excluded.mitotic_activity_elevated, tert_promoter_mutant = excluded.tert_promoter_mutant,
           atrx_loss = excluded.atrx_loss, tp53_mutant = excluded.tp53_mutant, h3_k27m = excluded.h3_k27m, mgmt_methylated = excluded.mgmt_methylated,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        [req.caseId, int(h.necrosis), int(h.microvascularProliferation), int(h.mitoticActivityElevated),
          int(mk.tertPromoterMutant), int(mk.atrxLoss), int(mk.tp53Mutant), int(mk.h3K27M), int(mk.mgmtPromoterMethylated), actor.userId, ts],
      );
      const view = await this.view(req.caseId, req.analysisId, tx);
      await this.audit.appendTx(tx, actor, {
        action: 'histology.findings_saved', entityType: 'case', entityId: req.caseId, patientPseudonym: c.patientPseudonym,
        before: before.updatedAt ? { ...before.findings, markers: before.markers } : null,
        after: { ...h, markers: mk, whoCns5: view.criteria ? { integratedDiagnosis: view.criteria.integratedDiagnosis, status: view.criteria.status, rules: view.criteria.rules } : null },
      });
      return view;
    });
  }
}
