/**
 * `gliofuse batch merge OUT_DIR... --out COHORT_DIR`: the shard outputs of one batch (Slurm array tasks, Kubernetes
 * indexed jobs, or one process) merged into cohort prediction files for `gliofuse validate` / `gliofuse evaluate`.
 *
 * Refuses, naming the folder or file, rather than merge something a validation study would silently misread:
 * a shard missing (incomplete), a case present in two shards, results of different model
 * packages (id, version, sha256 or package digest), shards of different manifests or shard counts. Writes into a
 * temporary sibling folder and renames it at the end, so COHORT_DIR is either complete or absent.
 * A case the batch attempted and the package refused (e.g. too many fields missing to impute) is a result too: it
 * is listed in cohort.json as not analysed, with the reason, and the validation study counts it as missing data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AnalysisResult } from '../../shared/analysis-result.ts';
import { badInput } from '../../shared/errors.ts';
import { safeName } from '../analysis/job-manager.ts';
import { readShardSummaries, type FoundSummary } from './shard-summary.ts';

export const COHORT_FILES = { summary: 'cohort.json', survival: 'survival.csv', grade: 'grade.csv', molecularClass: 'class.csv' } as const;

export interface CohortModel { id: string; version: string; sha256: string; packageDigest: string }

export interface CohortSummary {
  createdAt: string;
  manifest: string;
  shards: { shard: string; dir: string; summary: string; cases: number }[];
  cases: number;
  model: CohortModel;
  gradeLabels: string[];
  classLabels: string[];
  /** Cases whose result carried a clinical reference risk (older packages have none). */
  clinicalReferenceCases: number;
  /** Cases the batch attempted but could not analyse (the package refused the input), with the reason. */
  notAnalysed: { caseId: string; shard: string; error: string }[];
  files: typeof COHORT_FILES;
}

interface CaseRow { caseId: string; dir: string; result: AnalysisResult; clinicalRisk: number | null }

const csvCell = (v: string | number | null): string => {
  if (v === null) return '';
  const s = typeof v === 'number' ? String(v) : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (header: string[], rows: (string | number | null)[][]) => `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;

/** A clinical reference risk, when the analysis result carries one (issue 10: shown beside the AI). */
function clinicalRiskOf(raw: unknown): number | null {
  const cr = (raw as { clinicalReference?: { risk?: unknown; primary?: { risk?: unknown } } } | null)?.clinicalReference;
  const risk = cr?.risk ?? cr?.primary?.risk;
  return typeof risk === 'number' && Number.isFinite(risk) ? risk : null;
}

function modelOf(r: AnalysisResult): CohortModel {
  const p = r.provenance;
  return { id: p.modelId, version: p.modelVersion, sha256: p.modelSha256, packageDigest: p.packageDigest };
}

export function mergeShards(outDirs: readonly string[], cohortDir: string, now = () => new Date()): CohortSummary {
  if (outDirs.length === 0) throw badInput('Name at least one batch output folder.');
  const found: FoundSummary[] = outDirs.flatMap((d) => readShardSummaries(d));

  // One batch: one manifest, one shard count, each shard once.
  const first = found[0]!;
  for (const f of found) {
    if (f.summary.manifest !== first.summary.manifest) throw badInput(`${f.file} is a shard of ${f.summary.manifest}, ${first.file} of ${first.summary.manifest}: merge the shards of one manifest.`);
    if (f.n !== first.n) throw badInput(`${f.file} is shard ${f.i}/${f.n}, ${first.file} is ${first.i}/${first.n}: the shards must come from one --shard I/N run.`);
  }
  const byShard = new Map<number, FoundSummary>();
  for (const f of found) {
    const prev = byShard.get(f.i);
    if (prev) throw badInput(`Shard ${f.i}/${f.n} appears twice: ${prev.file} and ${f.file}.`);
    byShard.set(f.i, f);
  }
  const missing = Array.from({ length: first.n }, (_, i) => i).filter((i) => !byShard.has(i));
  if (missing.length) throw badInput(`Incomplete: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${first.n}`).join(', ')} missing (no batch-summary-I-of-N.json for ${missing.length > 1 ? 'them' : 'it'} in the given folders).`);

  const rows: CaseRow[] = [];
  const notAnalysed: CohortSummary['notAnalysed'] = [];
  const seen = new Map<string, string>();
  for (const f of [...byShard.values()].sort((a, b) => a.i - b.i)) {
    if (f.summary.cases.length !== f.summary.selected) throw badInput(`Incomplete: ${f.file} lists ${f.summary.cases.length} of its ${f.summary.selected} cases.`);
    for (const c of f.summary.cases) {
      const other = seen.get(c.caseId);
      if (other) throw badInput(`Case ${c.caseId} is in two shards: ${other} and ${f.dir}.`);
      seen.set(c.caseId, f.dir);
      if (c.status === 'failed') {
        notAnalysed.push({ caseId: c.caseId, shard: f.summary.shard, error: (c.error ?? 'failed').slice(0, 500) });
        continue;
      }
      const file = path.join(f.dir, safeName(c.caseId), 'result.json');
      let raw: unknown;
      try {
        raw = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        throw badInput(`Incomplete: ${file} is missing or unreadable (case ${c.caseId}, shard ${f.summary.shard}).`);
      }
      const parsed = AnalysisResult.safeParse(raw);
      if (!parsed.success) throw badInput(`${file} is not a complete analysis result (case ${c.caseId}).`);
      rows.push({ caseId: c.caseId, dir: f.dir, result: parsed.data, clinicalRisk: clinicalRiskOf(raw) });
    }
  }
  const total = rows.length;
  if (total + notAnalysed.length !== first.summary.rows) throw badInput(`Incomplete: the manifest has ${first.summary.rows} rows, the shards hold ${total + notAnalysed.length} cases.`);
  if (total === 0) throw badInput(`No case of the batch was analysed (${notAnalysed.length} not analysed): nothing to merge.`);

  const model = modelOf(rows[0]!.result);
  for (const r of rows) {
    const m = modelOf(r.result);
    if (m.id !== model.id || m.version !== model.version || m.sha256 !== model.sha256 || m.packageDigest !== model.packageDigest) {
      throw badInput(`Mixed models: case ${r.caseId} (${r.dir}) was analysed with ${m.id} ${m.version} (package ${m.packageDigest.slice(0, 12)}…), case ${rows[0]!.caseId} with ${model.id} ${model.version} (package ${model.packageDigest.slice(0, 12)}…); merge the results of one package.`);
    }
  }
  const labelsOf = (pick: (r: AnalysisResult) => { label: string }[]) => {
    const labels = pick(rows[0]!.result).map((p) => p.label);
    for (const r of rows) {
      if (pick(r.result).map((p) => p.label).join('\u0000') !== labels.join('\u0000')) throw badInput(`Case ${r.caseId} has other output classes than ${rows[0]!.caseId}.`);
    }
    return labels;
  };
  const gradeLabels = labelsOf((r) => r.grade.probs);
  const classLabels = labelsOf((r) => r.molecularClass.probs);
  const sorted = [...rows].sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));

  const target = path.resolve(cohortDir);
  if (fs.existsSync(target) && (!fs.statSync(target).isDirectory() || fs.readdirSync(target).length > 0)) {
    throw badInput(`${cohortDir} exists and is not an empty folder; choose a new cohort folder.`);
  }
  const summary: CohortSummary = {
    createdAt: now().toISOString(),
    manifest: first.summary.manifest,
    shards: [...byShard.values()].sort((a, b) => a.i - b.i).map((f) => ({ shard: f.summary.shard, dir: f.dir, summary: f.file, cases: f.summary.cases.length })),
    cases: total,
    model,
    gradeLabels,
    classLabels,
    clinicalReferenceCases: rows.filter((r) => r.clinicalRisk !== null).length,
    notAnalysed: notAnalysed.sort((a, b) => (a.caseId < b.caseId ? -1 : 1)),
    files: COHORT_FILES,
  };
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    fs.writeFileSync(path.join(tmp, COHORT_FILES.survival), csv(['patient_id', 'risk', 'risk_group', 'clinical_risk'],
      sorted.map((r) => [r.caseId, r.result.survival.risk, r.result.survival.riskGroup, r.clinicalRisk])));
    fs.writeFileSync(path.join(tmp, COHORT_FILES.grade), csv(['patient_id', ...gradeLabels.map((l) => `p_${l}`)],
      sorted.map((r) => [r.caseId, ...r.result.grade.probs.map((p) => p.p)])));
    fs.writeFileSync(path.join(tmp, COHORT_FILES.molecularClass), csv(['patient_id', ...classLabels.map((l) => `p_${l}`)],
      sorted.map((r) => [r.caseId, ...r.result.molecularClass.probs.map((p) => p.p)])));
    fs.writeFileSync(path.join(tmp, COHORT_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
    if (fs.existsSync(target)) fs.rmdirSync(target);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return summary;
}
