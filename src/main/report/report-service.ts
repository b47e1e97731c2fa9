/**
 * Case reports from the store: gathers the report input for a case (stored AnalysisResult, sign-off, addenda, slide
 * row, cohort curves, audit head), renders the PDF, keeps it under <dataDir>/reports/, and records its sha256 in
 * `reports` together with the audit event, in one transaction. Downloads re-check the stored file against that hash.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Db, Tx } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../../shared/actor.ts';
import type { PatientsRepo } from '../patients/patients-repo.ts';
import type { SignoffService } from '../signoff/signoff-service.ts';
import type { WhoCaseView } from '../../shared/contract/who-cns5.ts';
import { resultById } from '../signoff/results-repo.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type { ReportRecord } from '../../shared/contract/report.ts';
import { renderReportPdf } from './render-pdf.ts';
import type { ReportInput, ReportSignature, ReportSlide } from './report-input.ts';
import type { SlideThumbnail } from './heatmap-image.ts';
import { cohortForResult, type ModelInfo } from './model-info.ts';

export interface SlideRef {
  id: number;
  path: string;
  width: number | null;
  height: number | null;
}

export interface ReportServiceDeps {
  db: Db;
  audit: AuditLog;
  patients: PatientsRepo;
  signoff: SignoffService;
  appVersion: string;
  dataDir: string;
  modelInfo: (modelId: string) => Promise<ModelInfo>;
  /** The slide engine's whole-slide thumbnail; absent or failing -> the heatmap is drawn on a grey ground. */
  slideThumbnail?: ((slide: SlideRef) => Promise<SlideThumbnail | null>) | undefined;
  /** The case's WHO CNS5 view (src/main/who-cns5/); absent -> the report has no criteria block. */
  whoView?: ((caseId: number, analysisId?: number) => Promise<WhoCaseView>) | undefined;
  now?: () => Date;
}

interface SlideRow {
  id: number;
  path: string;
  file_name: string;
  hash_kind: string;
  hash: string;
  vendor: string | null;
  width: number | null;
  height: number | null;
  mpp_x: number | null;
  mpp_y: number | null;
  metadata_json: string;
  quality_json: string;
}

interface ReportRow {
  id: number;
  case_id: number;
  analysis_id: number | null;
  file_name: string;
  sha256: string;
  bytes: number | null;
  signature_id: number | null;
  addenda_count: number;
  stored_path: string | null;
  created_by_name: string;
  created_at: string;
}

const REPORT_SELECT = 'SELECT r.*, u.display_name AS created_by_name FROM reports r JOIN users u ON u.id = r.created_by';

function toRecord(r: ReportRow): ReportRecord {
  return {
    id: r.id, caseId: r.case_id, analysisId: r.analysis_id, fileName: r.file_name, sha256: r.sha256, bytes: r.bytes,
    signed: r.signature_id !== null, addendaCount: r.addenda_count, createdBy: r.created_by_name, createdAt: r.created_at, storedPath: r.stored_path,
  };
}

function parseJson(s: string, fallback: unknown): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return fallback;
  }
}

/** Slide row -> report slide block; metadata values become strings, quality entries their message. */
function toReportSlide(r: SlideRow): ReportSlide {
  // metadata_json is {properties (allow-listed), levels, associatedImages, ...} (migration 0002); only the
  // allow-listed properties are printed.
  const meta = parseJson(r.metadata_json, {});
  const props = meta && typeof meta === 'object' && 'properties' in meta ? (meta as { properties: unknown }).properties : null;
  const properties: Record<string, string> = {};
  if (props && typeof props === 'object' && !Array.isArray(props)) {
    for (const [k, v] of Object.entries(props as Record<string, unknown>)) {
      if (v === null || v === undefined || typeof v === 'object') continue;
      properties[k] = String(v);
    }
  }
  const q = parseJson(r.quality_json, []);
  const qualityFlags = Array.isArray(q)
    ? q.map((x: unknown) => (typeof x === 'string' ? x : x && typeof x === 'object' && 'message' in x ? String((x as { message: unknown }).message) : JSON.stringify(x)))
    : [];
  return { fileName: r.file_name, vendor: r.vendor, width: r.width, height: r.height, mppX: r.mpp_x, mppY: r.mpp_y, properties, qualityFlags, hashKind: r.hash_kind, hash: r.hash };
}

const stamp = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

export class ReportService {
  private readonly now: () => Date;
  constructor(private readonly d: ReportServiceDeps) {
    this.now = d.now ?? (() => new Date());
  }

  /** Everything the PDF shows for this case (the analysis given, else the one the diagnosis was signed against, else the newest). */
  async buildInput(actor: Actor | null, caseId: number, analysisId?: number): Promise<{ input: ReportInput; signatureId: number | null }> {
    const { db } = this.d;
    const c = await this.d.patients.getCase(caseId);
    const review = await this.d.signoff.review(caseId, analysisId);
    const sig = (s: { signerName: string; signerRole: string; signedAt: string; sha256: string; verified: boolean }): ReportSignature => ({ signerName: s.signerName, signerRole: s.signerRole, signedAt: s.signedAt, sha256: s.sha256, verified: s.verified });

    let slide: ReportSlide | null = null;
    let thumbnail: SlideThumbnail | null = null;
    let cohort: ReportInput['cohort'] = null;
    let cohortNote: string | null = null;
    let intendedUse: string | null = null;
    if (review.ai) {
      const stored = await resultById(db, caseId, review.ai.analysisId);
      if (stored.slideId !== null) {
        const row = await db.get<SlideRow>('SELECT * FROM slides WHERE id = ?', [stored.slideId]);
        if (row) {
          slide = toReportSlide(row);
          if (review.ai.result.explanations.pathologyIsEvidence && review.ai.result.explanations.heatmap && this.d.slideThumbnail) {
            thumbnail = await this.d.slideThumbnail({ id: row.id, path: row.path, width: row.width, height: row.height }).catch(() => null);
          }
        }
      }
      const info = await this.d.modelInfo(review.ai.result.provenance.modelId);
      ({ cohort, note: cohortNote } = cohortForResult(info, review.ai.result.provenance.packageDigest));
      intendedUse = info.packageDigest === review.ai.result.provenance.packageDigest ? info.intendedUse : null;
    }

    const signed = review.diagnosis?.state === 'signed' && review.signature ? review.diagnosis : null;
    const input: ReportInput = {
      generatedAt: this.now().toISOString(),
      generatedBy: actor?.displayName ?? null,
      appVersion: this.d.appVersion,
      case: {
        patientPseudonym: c.patientPseudonym, caseId: String(c.id), accession: c.accession, specimen: c.specimen, site: c.site,
        collectedOn: c.collectedOn, receivedOn: c.receivedOn, status: c.status,
      },
      analysis: review.ai ? { analysisId: review.ai.analysisId, finishedAt: review.ai.finishedAt, result: review.ai.result } : null,
      noAnalysisReason: review.ai ? null : 'No AI analysis has finished for this case, so this report contains no AI-suggested results.',
      signoff: signed && review.signature
        ? {
            diagnosis: {
              integratedDiagnosis: signed.integratedDiagnosis, histologicalClassification: signed.histologicalClassification,
              whoGrade: signed.whoGrade, molecularInformation: signed.molecularInformation, comment: signed.comment,
            },
            aiAgreement: signed.aiAgreement, overrideReason: signed.overrideReason, signature: sig(review.signature),
          }
        : null,
      draftExists: review.diagnosis?.state === 'draft',
      addenda: review.addenda.map((a) => ({ seq: a.seq, text: a.text, signature: sig(a.signature) })),
      slide,
      cohort,
      cohortNote,
      slideThumbnail: thumbnail,
      auditHead: await this.d.audit.head(),
      intendedUse,
      ...(this.d.whoView ? { whoCns5: await this.d.whoView(caseId, review.ai?.analysisId) } : {}),
    };
    return { input, signatureId: signed && review.signature ? review.signature.id : null };
  }

  async export(actor: Actor, caseId: number, analysisId?: number): Promise<{ report: ReportRecord; pdf: Buffer }> {
    const { input, signatureId } = await this.buildInput(actor, caseId, analysisId);
    const pdf = await renderReportPdf(input);
    const sha256 = crypto.createHash('sha256').update(pdf).digest('hex');
    const fileName = `gliofuse-report-${input.case.patientPseudonym}-case${caseId}-${stamp(input.generatedAt)}.pdf`;
    const dir = path.join(this.d.dataDir, 'reports', `case-${caseId}`);
    await fsp.mkdir(dir, { recursive: true });
    const stored = path.join(dir, fileName);
    // Write to a temporary name and rename, so a crash never leaves a half-written file under the final name.
    const tmp = `${stored}.${process.pid}.tmp`;
    await fsp.writeFile(tmp, pdf);
    await fsp.rename(tmp, stored);
    try {
      const report = await this.d.db.transaction(async (tx) => {
        const { lastID } = await tx.run(
          `INSERT INTO reports (case_id, analysis_id, file_name, sha256, created_by, created_at, signature_id, addenda_count, bytes, stored_path)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [caseId, input.analysis?.analysisId ?? null, fileName, sha256, actor.userId, input.generatedAt, signatureId, input.addenda.length, pdf.length, stored],
        );
        const rec = await this.byId(tx, lastID);
        await this.d.audit.appendTx(tx, actor, {
          action: 'report.exported', entityType: 'case', entityId: caseId, patientPseudonym: input.case.patientPseudonym,
          after: { reportId: rec.id, fileName, sha256, bytes: pdf.length, signed: signatureId !== null, addenda: input.addenda.length, analysisId: rec.analysisId },
        });
        return rec;
      });
      return { report, pdf };
    } catch (err) {
      await fsp.rm(stored, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  async list(caseId: number): Promise<ReportRecord[]> {
    await this.d.patients.getCase(caseId);
    return (await this.d.db.all<ReportRow>(`${REPORT_SELECT} WHERE r.case_id = ? ORDER BY r.id DESC`, [caseId])).map(toRecord);
  }

  /** A stored report's bytes, refused (INTEGRITY) if the file no longer matches the sha256 recorded at export. */
  async download(actor: Actor, reportId: number): Promise<{ report: ReportRecord; pdf: Buffer }> {
    const report = await this.byId(this.d.db, reportId);
    const c = await this.d.patients.getCase(report.caseId);
    if (!report.storedPath || !fs.existsSync(report.storedPath)) throw new GliofuseError('NOT_FOUND', `Report ${reportId} was not kept by Gliofuse (or its file was removed); export the report again.`);
    const pdf = await fsp.readFile(report.storedPath);
    const sha = crypto.createHash('sha256').update(pdf).digest('hex');
    const ok = sha === report.sha256;
    await this.d.audit.append(actor, {
      action: 'report.downloaded', entityType: 'case', entityId: report.caseId, patientPseudonym: c.patientPseudonym,
      outcome: ok ? 'success' : 'failure', reason: ok ? null : `stored file sha256 ${sha} differs from ${report.sha256}`, after: { reportId, fileName: report.fileName },
    });
    if (!ok) throw new GliofuseError('INTEGRITY', `The stored file of report ${reportId} was changed after export (sha256 differs); export the report again.`);
    return { report, pdf };
  }

  private async byId(tx: Pick<Tx, 'get'>, id: number): Promise<ReportRecord> {
    const r = await tx.get<ReportRow>(`${REPORT_SELECT} WHERE r.id = ?`, [id]);
    if (!r) throw new GliofuseError('NOT_FOUND', `No report with id ${id}.`);
    return toRecord(r);
  }
}
