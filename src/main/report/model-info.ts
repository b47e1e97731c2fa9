/**
 * What the report and the Analysis tab need from a model package beyond the stored result: the training cohort's
 * Kaplan–Meier curves (cohort/km_by_risk_group.json, docs/model-package.md) and the intended-use text. Read only
 * from a package that passed verification (every file's sha256), and never shown next to a result that another
 * package version produced.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ModelRegistry } from '../inference/model-packages.ts';
import { KmCohort } from '../../shared/contract/report.ts';

export interface ModelInfo {
  modelId: string;
  available: boolean;
  /** Why the cohort is not available (null when it is). */
  reason: string | null;
  packageDigest: string | null;
  modelVersion: string | null;
  intendedUse: string | null;
  cohort: KmCohort | null;
}

export const COHORT_FILE = 'cohort/km_by_risk_group.json';

export async function modelInfo(registry: Pick<ModelRegistry, 'get'>, modelId: string): Promise<ModelInfo> {
  const none = (reason: string, extra: Partial<ModelInfo> = {}): ModelInfo => ({ modelId, available: false, reason, packageDigest: null, modelVersion: null, intendedUse: null, cohort: null, ...extra });
  let pkg;
  try {
    pkg = await registry.get(modelId);
  } catch (err) {
    return none(err instanceof Error ? err.message : `Model package ${modelId} could not be loaded.`);
  }
  const known = { packageDigest: pkg.digest, modelVersion: pkg.manifest.version, intendedUse: pkg.manifest.intendedUse };
  const file = pkg.manifest.files.find((f) => f.role === 'cohort' && f.path === COHORT_FILE);
  if (!file) return none(`Model package ${modelId} ${pkg.manifest.version} has no ${COHORT_FILE}.`, known);
  let json: unknown;
  try {
    json = JSON.parse(await fsp.readFile(path.join(pkg.dir, ...COHORT_FILE.split('/')), 'utf8'));
  } catch {
    return none(`The cohort curves of ${modelId} could not be read.`, known);
  }
  const parsed = KmCohort.safeParse(json);
  if (!parsed.success) return none(`The cohort curves of ${modelId} ${pkg.manifest.version} are not in the documented format (docs/model-package.md).`, known);
  return { modelId, available: true, reason: null, ...known, cohort: parsed.data };
}

/** The cohort to draw next to a result: only from the very package (digest) that produced it. */
export function cohortForResult(info: ModelInfo, resultDigest: string): { cohort: KmCohort | null; note: string | null } {
  if (!info.available || !info.cohort) return { cohort: null, note: info.reason ?? 'Training-cohort curves are not available.' };
  if (info.packageDigest !== resultDigest) {
    return { cohort: null, note: `The installed ${info.modelId} package (version ${info.modelVersion ?? '?'}) is not the one that produced this result, so its cohort curves are not shown.` };
  }
  return { cohort: info.cohort, note: null };
}
