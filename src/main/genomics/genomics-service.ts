/**
 * Genomic profiles of cases: validated against a model package's schema, stored with the source file's sha256 and
 * the full validation report, audited as `genomics.imported` in the same transaction (patient pseudonym only; the
 * audit event carries counts and hashes, never the values).
 */
import crypto from 'node:crypto';
import type { Db } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../../shared/actor.ts';
import type { PatientsRepo } from '../patients/patients-repo.ts';
import type { ModelRegistry } from '../inference/model-packages.ts';
import { GliofuseError, badInput } from '../../shared/errors.ts';
import { nextFileLabel, recordFileOrigin } from '../file-origins/file-labels.ts';
import { summariseErrors, validateProfile, type GenomicModelInput, type GenomicValidationReport } from './profile.ts';

export interface StoredGenomicProfile {
  id: number;
  caseId: number;
  patientPseudonym: string;
  sourceFileName: string;
  sourceSha256: string;
  modelId: string;
  input: GenomicModelInput;
  report: GenomicValidationReport;
  addedBy: string | null;
  addedAt: string;
}

interface Row {
  id: number; case_id: number; source_file_name: string; source_sha256: string; schema_id: string;
  values_json: string; validation_report_json: string; added_at: string; added_by_name: string | null;
}

/** What values_json holds: the model input exactly as validated (so an analysis never re-derives it). */
interface StoredValues extends GenomicModelInput {
  modelVersion: string;
  packageDigest: string;
}

/** The hash is over the file's text as UTF-8, i.e. the file's bytes for any UTF-8 file (with or without BOM). */
export const contentSha256 = (content: string): string => crypto.createHash('sha256').update(content, 'utf8').digest('hex');

export class GenomicsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly patients: PatientsRepo,
    private readonly models: ModelRegistry,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Validates without storing (no case needed). */
  async validate(modelId: string, fileName: string, content: string, rowId?: string): Promise<GenomicValidationReport> {
    const pkg = await this.models.get(modelId);
    return validateProfile({ id: pkg.id, version: pkg.manifest.version, schema: pkg.manifest.genomicSchema }, fileName, content, rowId).report;
  }

  async import(actor: Actor, req: { caseId: number; fileName: string; content: string; rowId?: string | undefined; modelId: string }): Promise<StoredGenomicProfile> {
    const pkg = await this.models.get(req.modelId);
    const { report, input } = validateProfile({ id: pkg.id, version: pkg.manifest.version, schema: pkg.manifest.genomicSchema }, req.fileName, req.content, req.rowId);
    if (!input) throw badInput(`The genomic profile was not imported: ${summariseErrors(report)}.`, { report });
    const sha = contentSha256(req.content);
    const stored: StoredValues = { ...input, modelVersion: pkg.manifest.version, packageDigest: pkg.digest };
    return this.db.transaction(async (tx) => {
      const kase = await this.patients.getCase(req.caseId, tx);
      if (kase.status === 'signed' || kase.status === 'archived') {
        throw new GliofuseError('CONFLICT', `Case ${kase.accession} is ${kase.status}; genomic data can no longer be added.`);
      }
      const ts = this.now().toISOString();
      // A pseudonymised label instead of the file's own name (which may carry a name or MRN); the name goes to PHI.
      const label = await nextFileLabel(tx, 'genomic_profile', req.caseId, sha);
      const r = await tx.run(
        `INSERT INTO genomic_profiles (case_id, source_file_name, source_sha256, schema_id, values_json, validation_report_json, added_by, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [req.caseId, label, sha, pkg.id, JSON.stringify(stored), JSON.stringify(report), actor.userId, ts],
      );
      await recordFileOrigin(tx, 'genomic_profile', r.lastID, req.fileName, null);
      await this.audit.appendTx(tx, actor, {
        action: 'genomics.imported', entityType: 'genomic_profile', entityId: r.lastID, patientPseudonym: kase.patientPseudonym,
        after: {
          caseId: req.caseId, fileName: label, sourceSha256: sha, modelId: pkg.id, modelVersion: pkg.manifest.version,
          rowId: report.rowId, observed: report.observed, imputed: report.imputed, imputedFeatures: report.fields.filter((f) => f.status === 'imputed').map((f) => f.featureId),
        },
      });
      return {
        id: r.lastID, caseId: req.caseId, patientPseudonym: kase.patientPseudonym, sourceFileName: label, sourceSha256: sha,
        modelId: pkg.id, input, report, addedBy: actor.displayName, addedAt: ts,
      };
    });
  }

  /** Profiles of a case, newest first. */
  async forCase(caseId: number): Promise<{ patientPseudonym: string; profiles: StoredGenomicProfile[] }> {
    const kase = await this.patients.getCase(caseId);
    const rows = await this.db.all<Row>(
      `SELECT g.*, u.display_name AS added_by_name FROM genomic_profiles g LEFT JOIN users u ON u.id = g.added_by
       WHERE g.case_id = ? ORDER BY g.id DESC`, [caseId]);
    return {
      patientPseudonym: kase.patientPseudonym,
      profiles: rows.map((r) => {
        const v = JSON.parse(r.values_json) as StoredValues;
        return {
          id: r.id, caseId: r.case_id, patientPseudonym: kase.patientPseudonym, sourceFileName: r.source_file_name, sourceSha256: r.source_sha256,
          modelId: r.schema_id, input: { values: v.values, vector: v.vector, mask: v.mask },
          report: JSON.parse(r.validation_report_json) as GenomicValidationReport, addedBy: r.added_by_name, addedAt: r.added_at,
        };
      }),
    };
  }

  /** The newest profile of a case validated for this model, or null (the analysis pipeline's entry point). */
  async latestFor(caseId: number, modelId: string): Promise<StoredGenomicProfile | null> {
    const { profiles } = await this.forCase(caseId);
    return profiles.find((p) => p.modelId === modelId) ?? null;
  }
}
