/**
 * The clinical reference risk a package carries beside its AI (issue 10 deliverable 4): ridge Cox models on
 * IDH + 1p/19q + age and on the full panel + age, fitted on the same pnas training patients as the network
 * (models/training/umeml/clinical_reference.py), stored in the package as `clinical_reference.json`.
 *
 * risk = Σ coef · (value − mean) / sd over the model's terms (higher = worse); the risk group counts the cut-offs at
 * or below the risk (cut-offs = tertiles of the final fit's linear predictor over the training cohort, chosen
 * without outcomes). `field` names are genomic-schema feature ids (`idh_mutation`, `codeletion_1p19q`,
 * `age_at_diagnosis` in years, `cnv_*`, `arm_*`) — the keys of a validated profile's `values`. A missing value is
 * never imputed here: the training cohort's mean would be a guess about this patient, so the risk is withheld and
 * the missing fields are named. This is a rule-free statistical model, not AI; For Research Use Only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GliofuseError } from '../../shared/errors.ts';

export const CLINICAL_REFERENCE_FILE = 'clinical_reference.json';

export interface ClinicalReferenceModel {
  id: string;
  /** e.g. "Cox: IDH + 1p/19q + age" */
  label: string;
  terms: { field: string; coef: number; mean: number; sd: number }[];
  riskGroupCutoffs: number[];
  riskGroupLabels: string[];
  cv: { cIndexMean: number; cIndexSd: number; nPatients: number; splits: number };
  /** meanDelta / sdDelta: UMEML − this model's c-index per split; umemlWins: splits where UMEML is higher. */
  pairedVsUmeml: { meanDelta: number; sdDelta: number; umemlWins: number; splits: number };
}

export interface ClinicalReference {
  models: ClinicalReferenceModel[];
  primaryModelId: string;
  /** Which survival figure the app shows first: the AI only when the package met its survival goal. */
  primarySurvival: 'clinical-reference' | 'umeml';
  /** One sentence, generated from the stored out-of-fold numbers. */
  addedValueLine: string;
}

const finite = () => z.number().finite();

const ModelSchema = z.looseObject({
  id: z.string().min(1),
  label: z.string().min(1),
  terms: z.array(z.object({ field: z.string().min(1), coef: finite(), mean: finite(), sd: z.number().positive().finite() })).min(1),
  riskGroupCutoffs: z.array(finite()),
  riskGroupLabels: z.array(z.string().min(1)),
  cv: z.looseObject({ cIndexMean: finite(), cIndexSd: finite(), nPatients: z.number().int().positive(), splits: z.number().int().positive() }),
  pairedVsUmeml: z.looseObject({ meanDelta: finite(), sdDelta: finite(), umemlWins: z.number().int().min(0), splits: z.number().int().positive() }),
}).refine((m) => m.riskGroupLabels.length === m.riskGroupCutoffs.length + 1, { message: 'riskGroupLabels must have one more entry than riskGroupCutoffs' })
  .refine((m) => m.riskGroupCutoffs.every((c, i) => i === 0 || c > (m.riskGroupCutoffs[i - 1] as number)), { message: 'risk cut-offs must increase strictly' });

const FileSchema = z.looseObject({
  role: z.literal('clinical-reference'),
  models: z.array(ModelSchema).min(1),
  primaryModelId: z.string().min(1),
  primarySurvival: z.enum(['clinical-reference', 'umeml']),
  addedValueLine: z.string().min(1),
}).refine((f) => f.models.some((m) => m.id === f.primaryModelId), { message: 'primaryModelId names no model' });

/** Parses the file's text; throws an INTEGRITY error naming the first problem. */
export function parseClinicalReference(text: string, where = CLINICAL_REFERENCE_FILE): ClinicalReference {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new GliofuseError('INTEGRITY', `${where} is not valid JSON.`);
  }
  const r = FileSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new GliofuseError('INTEGRITY', `${where}: ${i?.path.length ? i.path.join('.') + ': ' : ''}${i?.message ?? 'invalid'}.`);
  }
  const f = r.data;
  return {
    models: f.models.map((m) => ({
      id: m.id,
      label: m.label,
      terms: m.terms.map((t) => ({ field: t.field, coef: t.coef, mean: t.mean, sd: t.sd })),
      riskGroupCutoffs: [...m.riskGroupCutoffs],
      riskGroupLabels: [...m.riskGroupLabels],
      cv: { cIndexMean: m.cv.cIndexMean, cIndexSd: m.cv.cIndexSd, nPatients: m.cv.nPatients, splits: m.cv.splits },
      pairedVsUmeml: { meanDelta: m.pairedVsUmeml.meanDelta, sdDelta: m.pairedVsUmeml.sdDelta, umemlWins: m.pairedVsUmeml.umemlWins, splits: m.pairedVsUmeml.splits },
    })),
    primaryModelId: f.primaryModelId,
    primarySurvival: f.primarySurvival,
    addedValueLine: f.addedValueLine,
  };
}

/**
 * The package's clinical reference, or null for packages without one. Call it on a verified package's folder
 * (the registry has checked the file's sha256 against the manifest).
 */
export function loadClinicalReference(packageDir: string): ClinicalReference | null {
  const p = path.join(packageDir, CLINICAL_REFERENCE_FILE);
  if (!fs.existsSync(p)) return null;
  return parseClinicalReference(fs.readFileSync(p, 'utf8'), p);
}

/** The primary model (the one the app shows first among the reference models). */
export function primaryReferenceModel(ref: ClinicalReference): ClinicalReferenceModel {
  const m = ref.models.find((x) => x.id === ref.primaryModelId);
  if (!m) throw new GliofuseError('INTEGRITY', `clinical reference: primary model ${ref.primaryModelId} is missing.`);
  return m;
}

export function clinicalReferenceRisk(
  model: ClinicalReferenceModel,
  values: Record<string, number | null>,
): { ok: true; risk: number; riskGroup: string } | { ok: false; missing: string[] } {
  const missing = model.terms.filter((t) => {
    const v = values[t.field];
    return v === null || v === undefined || !Number.isFinite(v);
  }).map((t) => t.field);
  if (missing.length) return { ok: false, missing };
  let risk = 0;
  for (const t of model.terms) risk += (t.coef * ((values[t.field] as number) - t.mean)) / t.sd;
  const k = model.riskGroupCutoffs.filter((c) => risk >= c).length;
  return { ok: true, risk, riskGroup: model.riskGroupLabels[k] as string };
}
