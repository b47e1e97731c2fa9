/**
 * Analysis commands (docs/pipeline.md, "CLI"):
 *   gliofuse features SLIDE --out DIR            patch-feature bag of a slide (the training recipe's format)
 *   gliofuse analyze [--slide P] [--genomics F [--row-id ID]] [--model ID] [--patient PSEUDONYM] --out DIR
 *                                                 → DIR/report.pdf and DIR/result.json (written last: its presence
 *                                                   means the case is complete)
 *   gliofuse batch MANIFEST.csv --out DIR [--shard I/N]   resumable; rows i with i mod N = I
 *   gliofuse analysis start|get|list|cancel       the job channels
 *   gliofuse encoder fetch|status                 the tile encoder set-up step (also `models fetch-encoder`)
 *   gliofuse demo [--out DIR]                     a real case, offline, end to end
 * Everything that changes data goes through the router as the CLI operator, so it is validated, authorised and
 * audited like the app. Exit 0 ok, 1 failed, 2 bad input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { ensureWritableFolder } from '../../store/storage-errors.ts';
import { GliofuseError, ERROR_CODES, badInput, type ErrorCode } from '../../../shared/errors.ts';
import { AnalysisResult } from '../../../shared/analysis-result.ts';
import type { AnalysisJob } from '../../../shared/contract/analysis.ts';
import { parseCsv } from '../../../shared/csv.ts';
import { appRoot, defaultDataDir, resourcesDirFromEnv } from '../../paths.ts';
import { WorkerHost } from '../../workers/worker-host.ts';
import { ENCODER_PATH_ENV, KNOWN_ENCODERS, encoderFolder, fetchEncoder, resolveEncoder } from '../../analysis/encoder-store.ts';
import { featureCacheRoot } from '../../analysis/feature-cache.ts';
import { analysisWorkerFactory, safeName } from '../../analysis/job-manager.ts';
import type { AnalysisWorkerApi, SlideFeaturesInfo } from '../../analysis/worker-api.ts';
import { EP_NAMES, type EpName } from '../../inference/execution-providers.ts';
import { contentSha256 } from '../../genomics/genomics-service.ts';
import { pickModel } from './genomics.ts';
import { checkAnalyzeInputs } from './analysis-inputs.ts';
import { cliModelRegistry } from './models.ts';

const EPS = EP_NAMES;

function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw badInput(`${name} must be a positive whole number (got "${v}").`);
    return Number(v);
  };
}
function fraction(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw badInput(`${name} must be a number from 0 to 1 (got "${v}").`);
    return n;
  };
}
function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || n > 100) throw badInput(`${name} must be a positive number up to 100 (got "${v}").`);
    return n;
  };
}
function epOption(v: string): EpName {
  if (!(EPS as readonly string[]).includes(v)) throw badInput(`--ep must be one of ${EPS.join(', ')} (got "${v}").`);
  return v as EpName;
}

function existingFile(p: string, what: string): string {
  const abs = path.resolve(p);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw badInput(`${what} not found: ${abs}.`);
  }
  if (!st.isFile()) throw badInput(`${what} is not a file: ${abs}.`);
  return abs;
}

/** Writes a file via a temporary name and rename, so a reader never sees half of it. */
function writeAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** A result.json that exists and parses as a complete AnalysisResult (batch resumes past it). */
export function completeResult(file: string): boolean {
  try {
    return AnalysisResult.safeParse(JSON.parse(fs.readFileSync(file, 'utf8'))).success;
  } catch {
    return false;
  }
}

function jobError(job: AnalysisJob): GliofuseError {
  const e = job.error ?? { code: 'INTERNAL', message: `The analysis ended ${job.state}.` };
  const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(e.code) ? (e.code as ErrorCode) : job.state === 'cancelled' ? 'CANCELLED' : 'WORKER_CRASHED';
  return new GliofuseError(code, `Analysis ${job.id} ${job.state}: ${e.message}`);
}

export interface AnalyzeOptions {
  slide?: string | undefined;
  genomics?: string | undefined;
  rowId?: string | undefined;
  model?: string | undefined;
  patient?: string | undefined;
  accession?: string | undefined;
  collected?: string | undefined;
  birthYear?: number | undefined;
  out: string;
  forceCpu?: boolean | undefined;
  ep?: EpName | undefined;
  /** Print stage changes on stderr. */
  progress?: boolean | undefined;
  /**
   * Skip the genomics import when the case's newest profile came from identical content under the same model schema
   * (a re-run of the demo in the same folder), so re-runs do not pile up copies of one profile.
   */
  reuseGenomics?: boolean | undefined;
  /** The slide's µm/px as the user knows it (stored with the slide as entered by the CLI operator; issue 13.4). */
  slideMpp?: number | undefined;
  /** Run slide QC although the model does not use the slide (issue 13.2). */
  slideQc?: boolean | undefined;
}

export interface AnalyzeOutcome {
  analysisId: number;
  caseId: number;
  patient: string;
  resultPath: string;
  reportPath: string | null;
  job: AnalysisJob;
}

/** One case end to end: patient/case (found or created) → slide + genomics attached → analysis → files. */
export async function analyzeOne(cli: CliContext, o: AnalyzeOptions): Promise<AnalyzeOutcome> {
  if (!o.slide && !o.genomics) throw badInput('Give --slide, --genomics or both.');
  if (o.rowId && !o.genomics) throw badInput('--row-id selects a row of --genomics; give --genomics too.');
  if (o.slideMpp !== undefined && !o.slide) throw badInput('--slide-mpp gives the µm/px of --slide; give --slide too.');
  if (o.slideQc && !o.slide) throw badInput('--slide-qc checks the slide; give --slide too.');
  const slide = o.slide ? existingFile(o.slide, 'Slide file') : null;
  const genomicsFile = o.genomics ? existingFile(o.genomics, 'Genomic profile') : null;
  const out = path.resolve(o.out);
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw badInput(`--out must be a folder: ${out} is a file.`);
  // Checked before any analysis runs: a read-only or full output folder fails now, not after the whole analysis.
  ensureWritableFolder(out, 'write the result and report');

  const s = await cli.services();
  const pkg = await pickModel(s.models, o.model);
  // Every input is checked before the first write (analysis-inputs.ts): a refused command leaves nothing behind.
  const checked = await checkAnalyzeInputs(s, pkg, { slide, genomicsFile, rowId: o.rowId, patient: o.patient, accession: o.accession, collected: o.collected, birthYear: o.birthYear });
  const { pseudonym, accession } = checked;
  const patientId = checked.patient?.id ?? (await cli.call('patients.create', { pseudonym, phi: { birthYear: o.birthYear ?? null } })).id;
  const caseId = checked.caseId ?? (await cli.call('cases.create', { patientId, accession, ...(o.collected ? { collectedOn: o.collected } : {}) })).id;

  let slideId: number | undefined;
  if (slide) {
    const already = await s.db.get<{ id: number }>('SELECT id FROM slides WHERE case_id = ? AND path = ? ORDER BY id DESC LIMIT 1', [caseId, slide]);
    slideId = already?.id ?? (await cli.call('slides.attach', { caseId, path: slide })).id;
    // Stored with the slide (audited, "entered by" the operator) and only when it changes, so re-runs add nothing.
    if (o.slideMpp !== undefined) {
      const cur = await s.db.get<{ user_mpp: number | null }>('SELECT user_mpp FROM slides WHERE id = ?', [slideId]);
      if (cur?.user_mpp !== o.slideMpp) await cli.call('slides.setMpp', { id: slideId, mpp: o.slideMpp });
    }
  }
  if (checked.genomics) {
    const { content, fileName } = checked.genomics;
    const newest = o.reuseGenomics
      ? await s.db.get<{ source_sha256: string; schema_id: string }>('SELECT source_sha256, schema_id FROM genomic_profiles WHERE case_id = ? ORDER BY id DESC LIMIT 1', [caseId])
      : undefined;
    const same = newest !== undefined && newest.schema_id === pkg.id && newest.source_sha256 === contentSha256(content);
    if (!same) await cli.call('genomics.import', { caseId, fileName, content, modelId: pkg.id, ...(o.rowId ? { rowId: o.rowId } : {}) });
  }

  const started = await cli.call('analysis.start', {
    caseId, modelId: pkg.id, ...(slideId !== undefined ? { slideId } : {}),
    ...(o.forceCpu ? { forceCpu: true } : {}), ...(o.ep ? { executionProvider: o.ep } : {}), ...(o.slideQc ? { slideQc: true } : {}),
  });
  let last = '';
  const onProgress = (e: { id: number; stage: string | null; progress: { done: number; total: number } | null }) => {
    if (!o.progress || e.id !== started.id) return;
    const line = `${e.stage ?? ''} ${e.progress ? `${e.progress.done}/${e.progress.total}` : ''}`;
    if (line !== last) process.stderr.write(`analysis ${started.id}: ${line}\n`);
    last = line;
  };
  s.analysis.events.on('progress', onProgress);
  let job: AnalysisJob;
  try {
    job = await s.analysis.waitFor(started.id);
  } finally {
    s.analysis.events.off('progress', onProgress);
  }
  if (job.state !== 'succeeded' || !job.result) throw jobError(job);

  const reportPath = path.join(out, 'report.pdf');
  const rep = await cli.call('report.export', { caseId, analysisId: job.id });
  writeAtomic(reportPath, Buffer.from(rep.pdfBase64, 'base64'));
  const resultPath = path.join(out, 'result.json');
  writeAtomic(resultPath, `${JSON.stringify(job.result, null, 2)}\n`);
  return { analysisId: job.id, caseId, patient: pseudonym, resultPath, reportPath, job };
}

function summaryLine(r: AnalyzeOutcome): string {
  const x = r.job.result;
  if (!x) return `analysis ${r.analysisId}: ${r.job.state}`;
  const g = x.grade.probs.find((p) => p.label === x.grade.top);
  const c = x.molecularClass.probs.find((p) => p.label === x.molecularClass.top);
  return [
    `analysis ${r.analysisId} (case ${r.caseId}, patient ${r.patient}) succeeded with ${x.provenance.modelId} ${x.provenance.modelVersion} on ${x.provenance.executionProvider}`,
    `  grade ${g?.display ?? x.grade.top} (p=${(g?.p ?? 0).toFixed(2)}); class ${c?.display ?? x.molecularClass.top} (p=${(c?.p ?? 0).toFixed(2)}); risk group ${x.survival.riskGroup}`,
    ...x.warnings.map((w) => `  ${w.severity}: ${w.message}`),
    `  result: ${r.resultPath}`,
    `  report: ${r.reportPath ?? '(none)'}`,
    `  ${x.ruo}`,
  ].join('\n');
}

function outcomeJson(r: AnalyzeOutcome) {
  const x = r.job.result;
  return {
    analysisId: r.analysisId, caseId: r.caseId, patient: r.patient, state: r.job.state, result: r.resultPath, report: r.reportPath,
    grade: x?.grade.top ?? null, molecularClass: x?.molecularClass.top ?? null, riskGroup: x?.survival.riskGroup ?? null,
    warnings: x?.warnings.map((w) => w.code) ?? [], modelId: x?.provenance.modelId ?? null, executionProvider: x?.provenance.executionProvider ?? null,
  };
}

// ---- features (no database, no account) ------------------------------------------------------------------------

async function runFeatures(slideArg: string, o: { out: string; model?: string; encoder?: string; minTissue?: number; slideMpp?: number; cache: boolean; ep?: EpName; forceCpu?: boolean }): Promise<SlideFeaturesInfo> {
  const slide = existingFile(slideArg, 'Slide file');
  const out = path.resolve(o.out);
  if (fs.existsSync(out)) {
    const st = fs.statSync(out);
    if (!st.isDirectory()) throw badInput(`--out must name a folder (the bag: features.f32 + coords.json); ${out} is a file.`);
    const entries = fs.readdirSync(out);
    if (entries.length > 0 && !entries.includes('coords.json')) throw badInput(`--out ${out} is a non-empty folder that is not a feature bag; choose a new folder.`);
  }
  const dataDir = defaultDataDir();
  const pkg = await pickModel(cliModelRegistry(), o.model);
  const te = pkg.manifest.tileEncoder;
  const enc = await resolveEncoder(te, { dataDir, packageDir: pkg.dir, explicitPath: o.encoder, resourcesDir: resourcesDirFromEnv() });
  const host = new WorkerHost<AnalysisWorkerApi>({ name: 'analysis worker', factory: analysisWorkerFactory(), timeoutMs: 0 });
  try {
    return await host.call('features', {
      jobKey: 'features',
      slide: { path: slide, fileName: path.basename(slide) },
      tileEncoder: te,
      encoder: { path: enc.path, sha256: enc.sha256, variantDir: encoderFolder(dataDir) },
      tiling: { ...(o.minTissue !== undefined ? { minTissue: o.minTissue } : {}), ...(o.slideMpp !== undefined ? { slideMpp: o.slideMpp } : {}) },
      cacheRoot: o.cache ? featureCacheRoot(dataDir) : null,
      out,
      providers: { forceCpu: Boolean(o.forceCpu), ...(o.ep ? { requested: o.ep } : {}) },
    });
  } finally {
    await host.close();
  }
}

// ---- batch -----------------------------------------------------------------------------------------------------

interface BatchRow {
  index: number;
  caseId: string;
  slide?: string;
  genomics?: string;
  rowId?: string;
  model?: string;
  birthYear?: number;
  collected?: string;
  slideMpp?: number;
}

export function parseShard(v: string): { i: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  if (!m) throw badInput(`--shard must be I/N, e.g. 0/4 (got "${v}").`);
  const i = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || i >= n) throw badInput(`--shard ${v}: need N ≥ 1 and 0 ≤ I < N.`);
  return { i, n };
}

export function readBatchManifest(file: string): BatchRow[] {
  const abs = existingFile(file, 'Batch manifest');
  const base = path.dirname(abs);
  const t = parseCsv(fs.readFileSync(abs, 'utf8'), 'batch manifest');
  const col = (name: string) => t.header.findIndex((h) => h.trim().toLowerCase() === name);
  const ci = col('case_id');
  if (ci < 0) throw badInput(`The batch manifest needs a case_id column (columns: case_id,slide,genomics,row_id[,model,birth_year,collected,slide_mpp]); found ${t.header.join(',')}.`);
  const [si, gi, ri, mi, bi, di] = ['slide', 'genomics', 'row_id', 'model', 'birth_year', 'collected'].map(col) as [number, number, number, number, number, number];
  const rel = (p: string) => (path.isAbsolute(p) ? p : path.resolve(base, p));
  const seen = new Set<string>();
  return t.rows.map((r, index) => {
    const cell = (k: number) => (k >= 0 ? (r.cells[k] ?? '').trim() : '');
    const caseId = cell(ci);
    if (!caseId) throw badInput(`batch manifest line ${r.line}: case_id is empty.`);
    if (seen.has(caseId)) throw badInput(`batch manifest line ${r.line}: case_id ${caseId} appears twice.`);
    seen.add(caseId);
    const row: BatchRow = { index, caseId };
    // A missing file is named with its manifest line before any case runs (not found hours later in one case).
    const file = (k: number, what: string) => {
      const p = rel(cell(k));
      if (!fs.statSync(p, { throwIfNoEntry: false })?.isFile()) throw badInput(`batch manifest line ${r.line}: no ${what} file at ${p}.`);
      return p;
    };
    if (cell(si)) row.slide = file(si, 'slide');
    if (cell(gi)) row.genomics = file(gi, 'genomics');
    if (cell(ri)) row.rowId = cell(ri);
    if (cell(mi)) row.model = cell(mi);
    if (cell(bi)) row.birthYear = positiveInt(`birth_year (line ${r.line})`)(cell(bi));
    if (cell(di)) row.collected = cell(di);
    const mppCol = col('slide_mpp');
    if (cell(mppCol)) row.slideMpp = positiveNumber(`slide_mpp (line ${r.line})`)(cell(mppCol));
    if (row.slideMpp !== undefined && !row.slide) throw badInput(`batch manifest line ${r.line}: slide_mpp is given but case ${caseId} has no slide.`);
    if (!row.slide && !row.genomics) throw badInput(`batch manifest line ${r.line}: case ${caseId} has neither a slide nor a genomics file.`);
    return row;
  });
}

// ---- demo ------------------------------------------------------------------------------------------------------

const DEMO_PATIENT = 'TCGA-06-0174';
/** Fixed (not timestamped) so that a re-run in the same folder finds its case again instead of opening another. */
const DEMO_ACCESSION = `demo-${DEMO_PATIENT}`;

interface DemoInputs {
  shared: string;
  slide: string;
  patient: string;
  /** The genomic row of all_dataset.csv plus "Age at diagnosis" from grade_data.csv, as one profile. */
  genomicsCsv: string;
}

/** The real example case: a TCGA glioma ROI pyramid and the same patient's genomic row + age. Reads only. */
function demoInputs(): DemoInputs {
  // appRoot() is the repository in a source tree and the app folder in the bundle; the shared data sit beside it.
  const shared = path.resolve(process.env.GLIOFUSE_SHARED_DATA || path.join(appRoot(), '..', 'shared', 'data'));
  const patient = DEMO_PATIENT;
  const slide = path.join(shared, 'wsi', 'tcga-glioma-roi', `${patient}_roi_pyramid.tif`);
  const all = path.join(shared, 'tcga', 'all_dataset.csv');
  const grade = path.join(shared, 'tcga', 'grade_data.csv');
  for (const f of [slide, all, grade]) if (!fs.existsSync(f)) throw badInput(`Demo data missing: ${f} (set GLIOFUSE_SHARED_DATA to the shared data folder).`);
  const lines = fs.readFileSync(all, 'utf8').split(/\r?\n/);
  const row = lines.find((l) => l.startsWith(`${patient},`));
  const g = fs.readFileSync(grade, 'utf8').split(/\r?\n/);
  const gh = (g[0] ?? '').split(',');
  const gr = (g.find((l) => l.startsWith(`${patient},`)) ?? '').split(',');
  const age = gr[gh.indexOf('Age at diagnosis')] ?? '';
  if (!row || !age) throw badInput(`Demo data: no row for ${patient} in ${all} / ${grade}.`);
  return { shared, slide, patient, genomicsCsv: `${lines[0]},Age at diagnosis\n${row},${age}\n` };
}

/**
 * The model package and tile encoder file the demo uses: ${ENCODER_PATH_ENV}, else the shared data copy, else the
 * encoder installed in the user's data folder. Resolved and hash-checked before anything is written, so a missing
 * encoder fails with one line and leaves nothing behind.
 */
async function demoModel(shared: string): Promise<{ modelId: string; encoderPath: string }> {
  const pkg = await pickModel(cliModelRegistry(), undefined);
  const sharedCopy = path.join(shared, 'models', 'mobilenetv2-12-int8-with-features.onnx');
  const explicit = process.env[ENCODER_PATH_ENV] || (fs.existsSync(sharedCopy) ? sharedCopy : undefined);
  const enc = await resolveEncoder(pkg.manifest.tileEncoder, { dataDir: defaultDataDir(), packageDir: pkg.dir, explicitPath: explicit });
  return { modelId: pkg.id, encoderPath: enc.path };
}

// ---- registration ----------------------------------------------------------------------------------------------

export function registerAnalysisCommands(program: Command, cli: CliContext): void {
  program.command('features')
    .description('tile a slide, encode its tissue tiles and write the patch-feature bag (features.f32 + coords.json) the training recipe reads')
    .argument('<slide>', 'whole-slide image file')
    .requiredOption('--out <dir>', 'bag folder to write')
    .option('--model <id>', 'model package whose tile encoder and tiling apply (default: the reference package or the only one installed)')
    .option('--encoder <file>', `tile encoder file (default: ${ENCODER_PATH_ENV} or the data folder)`)
    .option('--min-tissue <f>', 'keep tiles with at least this tissue fraction (0–1, default 0.5)', fraction('--min-tissue'))
    .option('--slide-mpp <um>', "the slide's µm/px when the file does not record it", positiveNumber('--slide-mpp'))
    .option('--no-cache', 'do not read or write the feature cache')
    .option('--ep <provider>', `try this execution provider first (${EPS.join(', ')})`, epOption)
    .option('--force-cpu', 'run on CPU')
    .action(async (slide: string, o: { out: string; model?: string; encoder?: string; minTissue?: number; slideMpp?: number; cache: boolean; ep?: EpName; forceCpu?: boolean }) => {
      const r = await runFeatures(slide, o);
      const out = path.resolve(o.out);
      cli.out({ out, count: r.meta.count, featureDim: r.meta.featureDim, tileEncoder: r.meta.tileEncoder, mpp: r.meta.mpp, tileSize: r.meta.tileSize, tileSizeLevel0: r.meta.tileSizeLevel0, cacheHit: r.cacheHit, encodedTiles: r.encodedTiles, qualityFlags: r.qualityFlags, executionProvider: r.encoder?.provider ?? null },
        `wrote ${out}: ${r.meta.count} tiles × ${r.meta.featureDim} features (${r.cacheHit ? 'from the feature cache' : `${r.encodedTiles} tiles encoded`})`);
    });

  const analyzeCmd = program.command('analyze')
    .description('analyse one case (slide and/or genomic profile) → OUT/result.json and OUT/report.pdf; recorded in the store and audit log')
    .option('--slide <path>', 'whole-slide image file')
    .option('--genomics <file>', 'genomic profile (CSV or JSON)')
    .option('--row-id <id>', 'the row of --genomics to use (e.g. a TCGA ID)')
    .option('--model <id>', 'model package (default: the reference package or the only one installed)')
    .option('--patient <pseudonym>', 'patient pseudonym (found or created; default: --row-id, else a random ANON id)')
    .option('--accession <text>', 'case accession (found or created; default: <pseudonym>-<timestamp>)')
    .option('--collected <YYYY-MM-DD>', 'specimen collection date (with --birth-year gives age at diagnosis)')
    .option('--birth-year <yyyy>', 'birth year of a newly created patient', positiveInt('--birth-year'))
    .requiredOption('--out <dir>', 'folder for result.json and report.pdf')
    .option('--force-cpu', 'run on CPU even where a GPU execution provider exists')
    .option('--ep <provider>', `try this execution provider first (${EPS.join(', ')})`, epOption)
    .option('--slide-mpp <um>', "the slide's µm/px when the file records none (stored with the slide as entered by you)", positiveNumber('--slide-mpp'))
    .option('--slide-qc', 'check the slide (tissue, tile grid, quality flags) even when the model does not use it')
    .option('--progress', 'print stage changes on stderr');
  analyzeCmd.action(async (o: AnalyzeOptions) => {
    const r = await analyzeOne(cli, o);
    cli.out(outcomeJson(r), () => summaryLine(r));
  });

  program.command('batch')
    .description('analyse every case of a manifest CSV (case_id,slide,genomics,row_id); resumable: cases whose result.json is complete are skipped')
    .argument('<manifest>', 'CSV file; paths relative to its folder')
    .requiredOption('--out <dir>', 'one sub-folder per case')
    .option('--shard <I/N>', 'only rows whose 0-based index i has i mod N = I (Slurm arrays, Kubernetes indexed jobs)', parseShard)
    .option('--model <id>', 'model package for rows without a model column')
    .option('--slide-qc', 'check each slide (tissue, tile grid, quality flags) even when the model does not use it')
    .option('--force-cpu', 'run on CPU')
    .option('--ep <provider>', `try this execution provider first (${EPS.join(', ')})`, epOption)
    .action(async (manifest: string, o: { out: string; shard?: { i: number; n: number }; model?: string; slideQc?: boolean; forceCpu?: boolean; ep?: EpName }) => {
      const rows = readBatchManifest(manifest);
      const shard = o.shard ?? { i: 0, n: 1 };
      const mine = rows.filter((r) => r.index % shard.n === shard.i);
      const outRoot = path.resolve(o.out);
      ensureWritableFolder(outRoot, 'write the batch results');
      const report: { caseId: string; status: 'skipped' | 'succeeded' | 'failed'; analysisId?: number; error?: string; exitCode?: number }[] = [];
      for (const r of mine) {
        const dir = path.join(outRoot, safeName(r.caseId));
        if (completeResult(path.join(dir, 'result.json'))) {
          report.push({ caseId: r.caseId, status: 'skipped' });
          continue;
        }
        try {
          const res = await analyzeOne(cli, {
            slide: r.slide, genomics: r.genomics, rowId: r.rowId, model: r.model ?? o.model, patient: r.caseId, accession: `batch-${r.caseId}`,
            birthYear: r.birthYear, collected: r.collected, out: dir, forceCpu: o.forceCpu, slideMpp: r.slideMpp, slideQc: o.slideQc, ep: o.ep,
          });
          fs.rmSync(path.join(dir, 'error.txt'), { force: true });
          report.push({ caseId: r.caseId, status: 'succeeded', analysisId: res.analysisId });
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          fs.mkdirSync(dir, { recursive: true });
          fs.writeFileSync(path.join(dir, 'error.txt'), `${msg}\n`);
          report.push({ caseId: r.caseId, status: 'failed', error: msg, exitCode: e instanceof GliofuseError && e.code === 'BAD_INPUT' ? 2 : 1 });
        }
      }
      // ONNX sessions of the batch's analysis worker: opened once, reused by every later case (worker-sessions.ts).
      const sessions = report.some((x) => x.status !== 'skipped') ? await (await cli.services()).analysis.worker.call('sessions', {}).catch(() => null) : null;
      const summary = {
        manifest: path.resolve(manifest), shard: `${shard.i}/${shard.n}`, rows: rows.length, selected: mine.length,
        succeeded: report.filter((x) => x.status === 'succeeded').length, skipped: report.filter((x) => x.status === 'skipped').length,
        failed: report.filter((x) => x.status === 'failed').length, sessions, cases: report,
      };
      writeAtomic(path.join(outRoot, `batch-summary-${shard.i}-of-${shard.n}.json`), `${JSON.stringify(summary, null, 2)}\n`);
      cli.out(summary, () => [
        `batch ${summary.shard}: ${summary.selected} of ${summary.rows} rows — ${summary.succeeded} succeeded, ${summary.skipped} skipped (complete), ${summary.failed} failed`,
        ...report.filter((x) => x.status === 'failed').map((x) => `  ${x.caseId}: ${x.error ?? ''}`),
      ].join('\n'));
      if (summary.failed > 0) process.exitCode = 1;
    });

  const analysis = program.command('analysis').description('analysis jobs of a case');
  analysis.command('start')
    .requiredOption('--case <id>', 'case id', positiveInt('--case'))
    .option('--model <id>', 'model package')
    .option('--slide <id>', 'which slide of the case (default: the newest)', positiveInt('--slide'))
    .option('--slide-qc', 'check the slide (tissue, tile grid, quality flags) even when the model does not use it')
    .option('--force-cpu', 'run on CPU')
    .option('--ep <provider>', `try this execution provider first (${EPS.join(', ')})`, epOption)
    .option('--no-wait', 'return once queued (the job is failed as interrupted if this process exits first)')
    .action(async (o: { case: number; model?: string; slide?: number; slideQc?: boolean; forceCpu?: boolean; ep?: EpName; wait: boolean }) => {
      const started = await cli.call('analysis.start', { caseId: o.case, ...(o.model ? { modelId: o.model } : {}), ...(o.slide ? { slideId: o.slide } : {}), ...(o.slideQc ? { slideQc: true } : {}), ...(o.forceCpu ? { forceCpu: true } : {}), ...(o.ep ? { executionProvider: o.ep } : {}) });
      if (!o.wait) {
        cli.out(started, `analysis ${started.id} queued`);
        return;
      }
      const job = await (await cli.services()).analysis.waitFor(started.id);
      const shown = await cli.call('analysis.get', { id: job.id });
      cli.out(shown, `analysis ${job.id}: ${job.state}${job.error ? ` (${job.error.message})` : ''}`);
      if (job.state !== 'succeeded') throw jobError(job);
    });
  analysis.command('get').argument('<id>', 'analysis id').action(async (id: string) => {
    const job = await cli.call('analysis.get', { id: positiveInt('ID')(id) });
    cli.out(job, `analysis ${job.id}: ${job.state}${job.stage ? ` (${job.stage})` : ''}${job.error ? ` — ${job.error.message}` : ''}`);
  });
  analysis.command('list').requiredOption('--case <id>', 'case id', positiveInt('--case')).action(async (o: { case: number }) => {
    const r = await cli.call('analysis.list', { caseId: o.case });
    cli.out(r, () => r.analyses.map((a) => `${a.id}\t${a.state}\t${a.modelId} ${a.modelVersion}\t${a.createdAt}${a.error ? `\t${a.error.message}` : ''}`).join('\n') || '(no analyses)');
  });
  analysis.command('cancel').argument('<id>', 'analysis id').action(async (id: string) => {
    const r = await cli.call('analysis.cancel', { id: positiveInt('ID')(id) });
    cli.out(r, `analysis ${r.id}: ${r.state}`);
  });

  const fetchAction = async (o: { id: string; url?: string; force?: boolean }) => {
    const r = await fetchEncoder(o.id, { dataDir: defaultDataDir(), ...(o.url ? { url: o.url } : {}), ...(o.force ? { force: true } : {}) });
    cli.out(r, r.downloaded ? `installed ${o.id} at ${r.path} (upstream sha256 ${r.upstreamSha256} verified; file sha256 ${r.sha256})` : `${o.id} is already installed at ${r.path} (sha256 ${r.sha256})`);
  };
  const defaultEncoder = Object.keys(KNOWN_ENCODERS)[0] ?? '';
  const encoder = program.command('encoder').description('the tile encoder used for slides (downloaded once at set-up, never bundled)');
  encoder.command('fetch')
    .description('download the upstream ONNX Model Zoo file, verify its sha256, add the features output, store it in the data folder')
    .option('--id <id>', 'encoder id', defaultEncoder)
    .option('--url <url>', 'download from this mirror or local copy (file:///…) instead of upstream')
    .option('--force', 'download again even if installed')
    .action(fetchAction);
  encoder.command('status').option('--id <id>', 'encoder id', defaultEncoder).action(async (o: { id: string }) => {
    const known = KNOWN_ENCODERS[o.id];
    if (!known) throw badInput(`Unknown encoder "${o.id}".`);
    const te = { id: o.id, file: null, sha256: known.equivalentSha256[0] ?? '', upstreamUrl: known.upstreamUrl } as Parameters<typeof resolveEncoder>[0];
    try {
      const r = await resolveEncoder(te, { dataDir: defaultDataDir(), resourcesDir: resourcesDirFromEnv() });
      cli.out({ installed: true, ...r }, `${o.id}: ${r.path} (${r.source}, sha256 ${r.sha256})`);
    } catch (e) {
      if (e instanceof GliofuseError && e.code === 'NOT_FOUND') {
        cli.out({ installed: false, folder: encoderFolder(defaultDataDir()) }, `${o.id} is not installed; run "gliofuse encoder fetch".`);
        process.exitCode = 1;
      } else throw e;
    }
  });
  encoder.command('install')
    .description('install the tile encoder from a local file (the ONNX Model Zoo mobilenetv2-12-int8.onnx, or the derived graph); sha256-checked and audited')
    .argument('<file>', 'the .onnx file')
    .option('--id <id>', 'encoder id', defaultEncoder)
    .action(async (file: string, o: { id: string }) => {
      const r = await cli.call('encoder.install', { path: path.resolve(file), id: o.id });
      cli.out(r, `installed ${r.id} at ${r.path ?? '?'} (sha256 ${r.sha256 ?? '?'})`);
    });
  // The same set-up step where users look for it first.
  const models = program.commands.find((c) => c.name() === 'models');
  models?.command('fetch-encoder')
    .description('same as "gliofuse encoder fetch"')
    .option('--id <id>', 'encoder id', defaultEncoder)
    .option('--url <url>', 'download from this mirror or local copy instead of upstream')
    .option('--force', 'download again even if installed')
    .action(fetchAction);

  program.command('demo')
    .description('analyse a real example case offline (TCGA-06-0174 glioma ROI + its genomic row) and print where the PDF is; re-running with the same --out re-uses its case')
    .option('--out <dir>', 'folder for the demo database, data, result and report (default: a new temp folder)')
    .action(async (o: { out?: string }) => {
      // Everything is found and checked before the first write: a missing input leaves no folder, store or PDF.
      const inputs = demoInputs();
      const { modelId, encoderPath } = await demoModel(inputs.shared);
      const dir = o.out ? path.resolve(o.out) : fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-demo-'));
      if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw badInput(`--out must be a folder: ${dir} is a file.`);
      fs.mkdirSync(dir, { recursive: true });
      process.env[ENCODER_PATH_ENV] = encoderPath;
      if (!cli.opts().db) {
        // A self-contained demo: its own store, operator account AND data folder. The report service files a copy
        // under <data>/reports/case-N; in the user's data folder that would sit among their real cases' reports
        // under a colliding case number. Set before the services open (they read the data folder once).
        process.env.GLIOFUSE_DATA_DIR = path.join(dir, 'data');
        program.setOptionValue('db', path.join(dir, 'demo.sqlite'));
        program.setOptionValue('as', 'demo');
        const s = await cli.services();
        if (await s.users.needsSetup()) await cli.callPublic('auth.setupAdmin', { username: 'demo', displayName: 'Gliofuse demo', password: crypto.randomBytes(18).toString('base64url') });
      }
      const genomics = path.join(dir, `${inputs.patient}-genomics.csv`);
      writeAtomic(genomics, inputs.genomicsCsv);
      const s = await cli.services();
      const prior = await s.db.get<{ id: number }>('SELECT c.id FROM cases c JOIN patients p ON p.id = c.patient_id WHERE p.pseudonym = ? AND c.accession = ?', [inputs.patient, DEMO_ACCESSION]);
      const r = await analyzeOne(cli, {
        slide: inputs.slide, genomics, rowId: inputs.patient, patient: inputs.patient, accession: DEMO_ACCESSION, model: modelId,
        out: path.join(dir, 'result'), progress: !cli.opts().json, reuseGenomics: true, slideQc: true,
      });
      const analysesOfCase = (await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM analyses WHERE case_id = ?', [r.caseId]))?.n ?? 1;
      const reusedCase = prior !== undefined;
      cli.out({ ...outcomeJson(r), folder: dir, reusedCase, analysesOfCase }, () => [
        summaryLine(r),
        '',
        reusedCase
          ? `Re-used demo case ${r.caseId} from an earlier run in ${dir} (same patient, case, slide and genomic profile); this new analysis (${analysesOfCase} of the case so far) replaced result.json and report.pdf.`
          : `Demo folder: ${dir} (database, data and result; "gliofuse demo --out ${dir}" re-runs in it).`,
        `PDF report: ${r.reportPath}`,
      ].join('\n'));
    });
}
