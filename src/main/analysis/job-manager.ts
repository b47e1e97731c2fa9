/**
 * Analysis jobs in the main process (docs/pipeline.md, "Jobs"): a FIFO of jobs run one at a time in the analysis
 * worker process, with the state machine, progress, events, cancel, results, audit and case status kept in the
 * store. Never does heavy work itself: the main process only polls progress and writes rows, so the UI's event
 * loop stays free.
 *
 * States: queued → running → succeeded | failed | cancelled (queued → cancelled | failed). Each job is owned by
 * this process (owner_host + owner_pid) and its heartbeat is refreshed while it runs. On start-up,
 * recoverInterrupted() fails every queued/running job whose owner is gone — app closed, crashed or killed —
 * with a reason; such jobs are not resumed (re-running is cheap: finished slide encodings are cached).
 * A worker that dies mid-job (native crash, kill -9) fails the job with WORKER_CRASHED at once; the next job
 * starts a fresh worker.
 */
import os from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import type { Db, Tx } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../../shared/actor.ts';
import type { PatientsRepo } from '../patients/patients-repo.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import type { ModelRegistry, VerifiedPackage } from '../inference/model-packages.ts';
import type { GenomicsService } from '../genomics/genomics-service.ts';
import { validateJsonProfile, summariseErrors } from '../genomics/profile.ts';
import { WorkerHost } from '../workers/worker-host.ts';
import { forkFactory, workerEntry, type WorkerFactory } from '../workers/transport.ts';
import { GliofuseError, badInput, toErrorShape } from '../../shared/errors.ts';
import type { AnalysisJob, AnalysisJobSummary, AnalysisProgress, AnalysisProgressEvent } from '../../shared/contract/analysis.ts';
import { QualityFlag } from '../../shared/contract/slides.ts';
import type { ModelManifest } from '../../shared/model-manifest.ts';
import type { EpName } from '../inference/execution-providers.ts';
import { AnalysesRepo, toSummary, type AnalysisRow, type JobParams } from './analyses-repo.ts';
import { encoderFolder, resolveEncoder } from './encoder-store.ts';
import { featureCacheRoot } from './feature-cache.ts';
import { planModalities } from './modalities.ts';
import { settleSlideWork, slideObstacle } from './slide-plan.ts';
import type { UserMpp } from './worker-api.ts';
import type { TissueParamsInput } from '../../shared/contract/slides.ts';
import type { AnalysisWorkerApi, GenomicsRef, PerfOptions, RunOutput, RunRequest, SlideRef } from './worker-api.ts';

export interface AnalysisServiceDeps {
  db: Db;
  audit: AuditLog;
  patients: PatientsRepo;
  settings: SettingsService;
  models: ModelRegistry;
  genomics: GenomicsService;
  dataDir: string;
  appVersion: string;
  /** How the analysis worker process is started (Electron passes utilityProcess). */
  workerFactory?: WorkerFactory;
  /** Explicit tile-encoder file (else GLIOFUSE_ENCODER_PATH, else <dataDir>/encoders, else the installer's copy). */
  encoderPath?: string;
  /** An installed app's resources folder: its encoders/ holds the tile encoder the installer ships (issue 13.1). */
  resourcesPath?: string | undefined;
  /** OpenSlide library for the worker's slide reads (the environment variable, else the Settings value). */
  openslideLibraryPath?: string | undefined;
  /** Progress poll / heartbeat interval (ms). */
  pollMs?: number;
  /** A job whose heartbeat is older than this is considered abandoned at start-up even if its pid exists. */
  staleMs?: number;
  perf?: PerfOptions;
  /** Tests: a worker that stops answering cancel within this time is killed. */
  cancelGraceMs?: number;
}

export interface StartRequest {
  caseId: number;
  modelId?: string | undefined;
  forceCpu?: boolean | undefined;
  slideId?: number | undefined;
  /** CLI --ep: try this execution provider first (CPU stays the fallback). */
  requestedProvider?: EpName | undefined;
  /** Run slide QC (tissue, tiles, quality flags) although the model does not use the slide (issue 13). */
  slideQc?: boolean | undefined;
}

interface SlideRow {
  id: number;
  path: string;
  file_name: string;
  hash_kind: 'sha256' | 'quickhash1';
  hash: string;
  quality_json: string;
  // migration 0002 / 0040: resolution facts and what users entered (issue 13)
  mpp_x: number | null;
  mpp_source: string | null;
  objective_power: number | null;
  user_mpp: number | null;
  user_mpp_at: string | null;
  user_mpp_by_name: string | null;
  tissue_params_json: string | null;
}

const SLIDE_COLUMNS = `s.id, s.path, s.file_name, s.hash_kind, s.hash, s.quality_json, s.mpp_x, s.mpp_source, s.objective_power,
  s.user_mpp, s.user_mpp_at, u.display_name AS user_mpp_by_name, s.tissue_params_json FROM slides s LEFT JOIN users u ON u.id = s.user_mpp_by`;

interface QueuedJob {
  id: number;
  actor: Actor;
}

/** Events: 'progress' (AnalysisProgressEvent) whenever a job changes state, stage or counts. */
export interface AnalysisEvents {
  progress: [AnalysisProgressEvent];
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const nowIso = () => new Date().toISOString();

/** The bundled reference package, used when a request names no model. */
export const REFERENCE_MODEL_ID = 'umeml-gbmlgg-genomic-ref';

export class AnalysisService {
  readonly events = new EventEmitter<AnalysisEvents>();
  readonly repo: AnalysesRepo;
  private readonly host: WorkerHost<AnalysisWorkerApi>;
  private readonly queue: QueuedJob[] = [];
  private running: { id: number; cancel: boolean; killTimer: NodeJS.Timeout | null } | null = null;
  private pumping = false;
  private closed = false;
  private readonly idleWaiters = new Map<number, ((job: AnalysisJob) => void)[]>();

  constructor(private readonly d: AnalysisServiceDeps) {
    this.repo = new AnalysesRepo(d.db);
    this.host = new WorkerHost<AnalysisWorkerApi>({
      name: 'analysis worker',
      factory: d.workerFactory ?? analysisWorkerFactory(),
      env: d.openslideLibraryPath ? { GLIOFUSE_OPENSLIDE_LIB: d.openslideLibraryPath } : {},
      // A long analysis is not a hung request: liveness comes from the progress polls, not a timeout.
      timeoutMs: 0,
      startTimeoutMs: 120_000,
    });
  }

  get cacheRoot(): string {
    return featureCacheRoot(this.d.dataDir);
  }

  /** The worker host (the features command and the benchmark use the same worker). */
  get worker(): WorkerHost<AnalysisWorkerApi> {
    return this.host;
  }

  // ---- start-up recovery --------------------------------------------------------------------------------------

  /** Fails every queued/running job whose owning process is gone. Returns the ids failed. */
  async recoverInterrupted(): Promise<number[]> {
    const staleMs = this.d.staleMs ?? 120_000;
    const host = os.hostname();
    const failed: number[] = [];
    for (const r of await this.repo.active()) {
      const sameHost = r.owner_host === host;
      const ownerAlive = sameHost && r.owner_pid !== null && r.owner_pid !== process.pid && pidAlive(r.owner_pid);
      const beat = r.heartbeat_at ? Date.parse(r.heartbeat_at) : 0;
      const fresh = Date.now() - beat < staleMs;
      // Same host: trust the pid (a fresh heartbeat from a dead pid means it died just now). Other host: only a
      // stale heartbeat proves abandonment.
      const abandoned = sameHost ? !ownerAlive || !fresh : !fresh;
      if (r.owner_pid === process.pid && sameHost) continue; // ours (a second service in this process)
      if (!abandoned) continue;
      const when = r.heartbeat_at ?? r.created_at;
      const reason = r.state === 'running'
        ? `The analysis was interrupted while ${r.stage ?? 'running'} (the app or command running it stopped; last sign of life ${when}). It was not resumed; start it again — finished slide encodings are reused from the cache.`
        : `The analysis was still queued when the app or command that queued it stopped (${when}); it was not started. Start it again.`;
      const ok = await this.d.db.transaction(async (tx) => {
        const done = await this.repo.finish(tx, r.id, { state: 'failed', from: ['queued', 'running'], error: { code: 'INTERRUPTED', message: reason }, progress: null, now: nowIso() });
        if (!done) return false;
        await this.restoreCaseStatusTx(tx, null, r, 'analysis interrupted (recovered at start-up)');
        await this.d.audit.appendTx(tx, null, { action: 'analysis.failed', entityType: 'analysis', entityId: r.id, patientPseudonym: r.pseudonym, before: { state: r.state }, after: { state: 'failed' }, outcome: 'failure', reason });
        return true;
      });
      if (ok) {
        failed.push(r.id);
        this.emit(await this.repo.row(r.id));
      }
    }
    return failed;
  }

  // ---- start --------------------------------------------------------------------------------------------------

  /** The model when none is named: the reference package if installed, else the only verified one. */
  private async pickModel(modelId: string | undefined): Promise<VerifiedPackage> {
    if (modelId) return this.d.models.get(modelId);
    const ids = [...new Set((await this.d.models.list()).filter((c) => c.ok && c.manifest).map((c) => c.manifest?.id ?? ''))];
    if (ids.includes(REFERENCE_MODEL_ID)) return this.d.models.get(REFERENCE_MODEL_ID);
    if (ids.length === 1) return this.d.models.get(ids[0] as string);
    throw badInput(ids.length ? `Several model packages are installed (${ids.join(', ')}); choose one.` : 'No verified model package is installed; import one (gliofuse models import DIR).');
  }

  private async slideFor(caseId: number, slideId: number | undefined): Promise<SlideRow | null> {
    if (slideId !== undefined) {
      const s = await this.d.db.get<SlideRow>(`SELECT ${SLIDE_COLUMNS} WHERE s.id = ? AND s.case_id = ? AND s.detached_at IS NULL`, [slideId, caseId]);
      if (!s) throw new GliofuseError('NOT_FOUND', `Case ${caseId} has no slide with id ${slideId}.`);
      return s;
    }
    return (await this.d.db.get<SlideRow>(`SELECT ${SLIDE_COLUMNS} WHERE s.case_id = ? AND s.detached_at IS NULL ORDER BY s.id DESC LIMIT 1`, [caseId])) ?? null;
  }

  /**
   * The case's genomic input for this model: the newest profile validated for it, else the newest profile of
   * another model re-validated against this model's schema (by feature id), else null.
   */
  private async genomicsFor(caseId: number, pkg: VerifiedPackage): Promise<{ id: number; ref: GenomicsRef } | null> {
    const own = await this.d.genomics.latestFor(caseId, pkg.id);
    if (own) return { id: own.id, ref: { vector: own.input.vector, mask: own.input.mask, values: own.input.values, sourceSha256: own.sourceSha256, fileName: own.sourceFileName, derivedAge: null } };
    const { profiles } = await this.d.genomics.forCase(caseId);
    const other = profiles[0];
    if (!other) return null;
    const observed = Object.fromEntries(Object.entries(other.input.values).filter(([, v]) => v !== null));
    const { report, input } = validateJsonProfile({ id: pkg.id, version: pkg.manifest.version, schema: pkg.manifest.genomicSchema }, JSON.stringify(observed));
    if (!input) throw badInput(`The case's genomic profile (validated for ${other.modelId}) does not fit ${pkg.id}: ${summariseErrors(report)}.`);
    return { id: other.id, ref: { vector: input.vector, mask: input.mask, values: input.values, sourceSha256: other.sourceSha256, fileName: other.sourceFileName, derivedAge: null } };
  }

  /**
   * Age at diagnosis when the profile lacks it and the package takes it: collection year − birth year (whole
   * years; up to one year high when the birthday falls after the collection date).
   */
  private deriveAge(ref: GenomicsRef, m: ModelManifest, birthYear: number | null | undefined, collectedOn: string | null): void {
    if (!birthYear || !collectedOn) return;
    const i = m.genomicSchema.features.findIndex((f) => f.group === 'clinical' && (f.unit === 'years' || /age/i.test(f.id)));
    const f = m.genomicSchema.features[i];
    if (!f || (ref.mask[i] ?? 0) > 0.5) return;
    const years = Number(collectedOn.slice(0, 4)) - birthYear;
    if (!Number.isFinite(years) || years < f.min || years > f.max) return;
    ref.vector[i] = (years - f.normalise.mean) / f.normalise.std;
    ref.mask[i] = 1;
    ref.values[f.id] = years;
    ref.derivedAge = { featureId: f.id, years, from: `collection date ${collectedOn} − birth year` };
  }

  async start(actor: Actor, req: StartRequest): Promise<AnalysisJobSummary> {
    if (this.closed) throw new GliofuseError('CANCELLED', 'The analysis service is shutting down.');
    const kase = await this.d.patients.getCase(req.caseId);
    if (kase.status === 'signed' || kase.status === 'archived') throw new GliofuseError('CONFLICT', `Case ${kase.accession} is ${kase.status}; it can no longer be analysed.`);
    const pkg = await this.pickModel(req.modelId);
    const slide = await this.slideFor(req.caseId, req.slideId);
    const gen = await this.genomicsFor(req.caseId, pkg);
    const m = pkg.manifest;
    const clinical = m.genomicSchema.features.map((f, i) => (f.group === 'clinical' ? i : -1)).filter((i) => i >= 0);
    if (gen) {
      const patient = await this.d.patients.get(kase.patientId);
      this.deriveAge(gen.ref, m, patient.phi.birthYear, kase.collectedOn);
    }
    // Refuse now (BAD_INPUT, before anything is queued) when the case has nothing this model may use.
    const plan = planModalities(m.validatedModalities, { hasSlide: slide !== null, hasGenomics: gen !== null, clinicalObserved: gen !== null && clinical.some((i) => (gen.ref.mask[i] ?? 0) > 0.5), schemaHasClinical: clinical.length > 0, slideQc: Boolean(req.slideQc) }, `${m.name} ${m.version}`);
    // Issue 13: slide work only when the model uses the slide or the user asked for QC; a slide that cannot be
    // done (file gone, no µm/px, encoder not installed) is left out with a warning when genomics can go ahead.
    const obstacle = slide ? await slideObstacle(slide, plan.slideWork, () => resolveEncoder(m.tileEncoder, { dataDir: this.d.dataDir, packageDir: pkg.dir, explicitPath: this.d.encoderPath, resourcesDir: this.d.resourcesPath })) : null;
    const settled = settleSlideWork(slide ? plan.slideWork : 'none', obstacle, plan.useGenomics);

    const forceCpu = req.forceCpu ?? this.d.settings.current().forceCpu;
    // The request's provider (--ep) wins over the "executionProvider" setting; 'auto' plans from the machine.
    const setting = this.d.settings.current().executionProvider;
    const requestedProvider = req.requestedProvider ?? (setting && setting !== 'auto' ? setting : undefined);
    const params: JobParams = { forceCpu, requestedProvider, previousCaseStatus: kase.status, slideId: slide?.id ?? null, genomicProfileId: gen?.id ?? null,
      slideWork: settled.work, caseHasSlide: slide !== null, slideQc: Boolean(req.slideQc), notes: settled.notes };
    const id = await this.d.db.transaction(async (tx) => {
      if ((await this.repo.activeForCase(req.caseId, tx)).length > 0) throw new GliofuseError('CONFLICT', `Case ${kase.accession} already has an analysis queued or running; wait for it or cancel it.`);
      const now = nowIso();
      const newId = await this.repo.insertQueued(tx, { caseId: req.caseId, slideId: slide?.id ?? null, genomicId: gen?.id ?? null, modelId: pkg.id, modelVersion: m.version, params, requestedBy: actor.userId, ownerHost: os.hostname(), ownerPid: process.pid, now });
      await this.d.patients.setStatusTx(tx, actor, req.caseId, 'analysing', `analysis ${newId} queued (${pkg.id} ${m.version})`);
      await this.d.audit.appendTx(tx, actor, {
        action: 'analysis.requested', entityType: 'analysis', entityId: newId, patientPseudonym: kase.patientPseudonym,
        after: { caseId: req.caseId, modelId: pkg.id, modelVersion: m.version, packageDigest: pkg.digest, slideId: slide?.id ?? null, genomicProfileId: gen?.id ?? null, forceCpu, requestedProvider: requestedProvider ?? null },
      });
      return newId;
    });
    this.queue.push({ id, actor });
    const row = await this.repo.row(id);
    this.emit(row);
    void this.pump();
    return toSummary(row);
  }

  // ---- queries ------------------------------------------------------------------------------------------------

  get(id: number): Promise<AnalysisJob> {
    return this.repo.get(id);
  }

  async list(caseId: number): Promise<{ caseId: number; patientPseudonym: string; analyses: AnalysisJobSummary[] }> {
    const kase = await this.d.patients.getCase(caseId);
    return { caseId, patientPseudonym: kase.patientPseudonym, analyses: await this.repo.listForCase(caseId) };
  }

  /** Resolves when the job reaches a final state (CLI, tests). */
  async waitFor(id: number): Promise<AnalysisJob> {
    const job = await this.repo.get(id);
    if (job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled') return job;
    return new Promise((resolve) => {
      const list = this.idleWaiters.get(id) ?? [];
      list.push(resolve);
      this.idleWaiters.set(id, list);
    });
  }

  // ---- cancel -------------------------------------------------------------------------------------------------

  async cancel(actor: Actor, id: number): Promise<AnalysisJobSummary> {
    const row = await this.repo.row(id);
    if (row.state === 'queued') {
      const k = this.queue.findIndex((q) => q.id === id);
      if (k >= 0) this.queue.splice(k, 1);
      await this.finalize(row, actor, { state: 'cancelled', error: { code: 'CANCELLED', message: `Cancelled by ${actor.displayName} before it started.` } });
      return toSummary(await this.repo.row(id));
    }
    if (row.state !== 'running') throw new GliofuseError('CONFLICT', `Analysis ${id} is already ${row.state}.`);
    if (this.running?.id !== id) throw new GliofuseError('CONFLICT', `Analysis ${id} is running in another process (pid ${row.owner_pid ?? '?'}); cancel it there.`);
    const run = this.running;
    if (!run.cancel) {
      run.cancel = true;
      await this.d.audit.append(actor, { action: 'analysis.cancel_requested', entityType: 'analysis', entityId: id, patientPseudonym: row.pseudonym });
      await this.host.call('cancel', { jobKey: String(id) }).catch(() => undefined);
      // A worker stuck in a native call cannot look at the flag: after the grace period it is killed.
      run.killTimer = setTimeout(() => {
        const pid = this.host.pid;
        if (this.running === run && pid) {
          try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
        }
      }, this.d.cancelGraceMs ?? 15_000);
      run.killTimer.unref();
    }
    return toSummary(await this.repo.row(id));
  }

  // ---- running ------------------------------------------------------------------------------------------------

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed) {
        const next = this.queue.shift();
        if (!next) break;
        await this.runOne(next).catch((e) => console.error(`[analysis] job ${next.id}:`, e));
      }
    } finally {
      this.pumping = false;
    }
  }

  private async buildRequest(row: AnalysisRow, params: JobParams): Promise<RunRequest> {
    const pkg = await this.d.models.get(row.model_id);
    if (pkg.manifest.version !== row.model_version) throw new GliofuseError('CONFLICT', `Model ${row.model_id} changed from ${row.model_version} to ${pkg.manifest.version} while the analysis was queued; start it again.`);
    const kase = await this.d.patients.getCase(row.case_id);
    let slide: SlideRef | null = null;
    // Jobs queued before issue 13 carry no slideWork: they encoded whenever there was a slide.
    const slideWork = params.slideWork ?? (params.slideId !== null ? 'features' : 'none');
    let userMpp: UserMpp | null = null;
    let tissue: TissueParamsInput | undefined;
    if (params.slideId !== null && slideWork !== 'none') {
      const s = await this.slideFor(row.case_id, params.slideId);
      if (!s) throw new GliofuseError('NOT_FOUND', `Slide ${params.slideId} is gone.`);
      const quality = QualityFlag.array().safeParse(JSON.parse(s.quality_json));
      slide = { path: s.path, fileName: s.file_name, hashKind: s.hash_kind, hash: s.hash, ...(quality.success ? { qualityFlags: quality.data } : {}) };
      if (s.user_mpp !== null) userMpp = { value: s.user_mpp, enteredBy: s.user_mpp_by_name ?? 'a user', enteredAt: s.user_mpp_at ?? '' };
      if (s.tissue_params_json) tissue = JSON.parse(s.tissue_params_json) as TissueParamsInput;
    }
    let genomics: GenomicsRef | null = null;
    if (params.genomicProfileId !== null) {
      const gen = await this.genomicsFor(row.case_id, pkg);
      if (gen) {
        const patient = await this.d.patients.get(kase.patientId);
        this.deriveAge(gen.ref, pkg.manifest, patient.phi.birthYear, kase.collectedOn);
        genomics = gen.ref;
      }
    }
    const encoder = slide && slideWork === 'features' ? await resolveEncoder(pkg.manifest.tileEncoder, { dataDir: this.d.dataDir, packageDir: pkg.dir, explicitPath: this.d.encoderPath, resourcesDir: this.d.resourcesPath }) : null;
    return {
      jobKey: String(row.id),
      slideWork, caseHasSlide: params.caseHasSlide ?? slide !== null, slideQc: Boolean(params.slideQc), notes: params.notes ?? [], userMpp,
      ...(userMpp ? { tiling: { slideMpp: userMpp.value } } : {}), ...(tissue ? { tissue } : {}),
      model: { dir: pkg.dir, manifest: pkg.manifest, digest: pkg.digest, modelPath: pkg.modelPath },
      encoder: encoder ? { path: encoder.path, sha256: encoder.sha256, variantDir: encoderFolder(this.d.dataDir) } : null,
      slide,
      genomics,
      cacheRoot: this.cacheRoot,
      providers: { forceCpu: params.forceCpu, ...(params.requestedProvider ? { requested: params.requestedProvider as EpName } : {}) },
      ...(this.d.perf ? { perf: this.d.perf } : {}),
      appVersion: this.d.appVersion,
    };
  }

  private async runOne(q: QueuedJob): Promise<void> {
    let row = await this.repo.row(q.id);
    if (row.state !== 'queued') return;
    const params = JSON.parse(row.params_json) as JobParams;
    const run = { id: q.id, cancel: false, killTimer: null as NodeJS.Timeout | null };
    this.running = run;
    let poll: NodeJS.Timeout | null = null;
    const last: { progress: AnalysisProgress | null } = { progress: null };
    try {
      let req: RunRequest;
      try {
        req = await this.buildRequest(row, params);
      } catch (e) {
        await this.finalize(row, q.actor, { state: 'failed', error: toErrorShape(e) });
        return;
      }
      if (!(await this.repo.markRunning(q.id, nowIso()))) return;
      row = await this.repo.row(q.id);
      this.emit(row);
      const pollMs = this.d.pollMs ?? (Number(process.env.GLIOFUSE_ANALYSIS_POLL_MS) || 500);
      let polling = false;
      poll = setInterval(() => {
        // The heartbeat is this process's sign of life, written every tick even while the worker is busy in a
        // long native call and cannot answer the progress poll.
        if (polling) {
          void this.repo.heartbeat(q.id, { progress: null, workerPid: this.host.pid ?? null, now: nowIso() }).catch(() => undefined);
          return;
        }
        polling = true;
        void (async () => {
          const p = await this.host.call('progress', { jobKey: String(q.id) }, { timeoutMs: 30_000 }).catch(() => null);
          const changed = p !== null && JSON.stringify(p) !== JSON.stringify(last.progress);
          if (p) last.progress = p;
          await this.repo.heartbeat(q.id, { progress: changed ? p : null, workerPid: this.host.pid ?? null, now: nowIso() }).catch(() => undefined);
          if (changed) this.emit(await this.repo.row(q.id));
        })().finally(() => { polling = false; });
      }, pollMs);
      poll.unref?.();

      let out: RunOutput;
      try {
        out = await this.host.call('run', req, { timeoutMs: 0 });
      } catch (e) {
        const shape = toErrorShape(e);
        if (this.closed) {
          await this.finalize(row, q.actor, { state: 'failed', error: { code: 'INTERRUPTED', message: `The app closed while the analysis was ${last.progress?.stage ?? 'running'}; start it again (finished slide encodings are reused from the cache).` }, progress: last.progress });
        } else if (run.cancel || shape.code === 'CANCELLED') {
          await this.finalize(row, q.actor, { state: 'cancelled', error: { code: 'CANCELLED', message: 'The analysis was cancelled.' }, progress: last.progress });
        } else {
          await this.finalize(row, q.actor, { state: 'failed', error: shape, progress: last.progress });
        }
        return;
      }
      if (run.cancel) {
        await this.finalize(row, q.actor, { state: 'cancelled', error: { code: 'CANCELLED', message: 'The analysis was cancelled.' }, progress: last.progress });
        return;
      }
      await this.succeed(row, q.actor, out, req);
    } finally {
      if (poll) clearInterval(poll);
      if (run.killTimer) clearTimeout(run.killTimer);
      if (this.running === run) this.running = null;
      await this.notifyIdle(q.id);
    }
  }

  private async succeed(row: AnalysisRow, actor: Actor, out: RunOutput, req: RunRequest): Promise<void> {
    const now = nowIso();
    const f = out.run.features;
    const provenance = { ...out.result.provenance, run: { features: f ? { ...f, meta: { ...f.meta, tiling: undefined } } : null, session: out.run.session, timingsMs: out.run.timingsMs } };
    const done: AnalysisProgress = { stage: 'storing', done: 1, total: 1, etaSeconds: 0, ...(f?.cacheHit ? { cached: true } : {}) };
    await this.d.db.transaction(async (tx) => {
      const ok = await this.repo.finish(tx, row.id, { state: 'succeeded', from: ['running'], error: null, progress: done, cacheKey: f?.cacheKey ?? null, now });
      if (!ok) throw new GliofuseError('CONFLICT', `Analysis ${row.id} was finished elsewhere.`);
      await this.repo.insertPrediction(tx, row.id, out.result, provenance, now);
      if (f?.cacheKey && out.result.provenance.slide && req.encoder) {
        await this.repo.recordCacheUse(tx, {
          key: f.cacheKey, slideHashKind: out.result.provenance.slide.hashKind, slideHash: out.result.provenance.slide.hash,
          encoderId: req.model.manifest.tileEncoder.id, encoderSha256: f.meta.tileEncoder.sha256, params: f.meta.tiling ?? {},
          tiles: f.tileCount, featureDim: f.meta.featureDim, hit: f.cacheHit, now,
        });
      }
      const kase = await this.d.patients.getCase(row.case_id, tx);
      if (kase.status === 'analysing') await this.d.patients.setStatusTx(tx, actor, row.case_id, 'ready_for_review', `analysis ${row.id} succeeded`);
      const r = out.result;
      await this.d.audit.appendTx(tx, actor, {
        action: 'analysis.succeeded', entityType: 'analysis', entityId: row.id, patientPseudonym: row.pseudonym,
        before: { state: 'running' },
        after: {
          state: 'succeeded', modelId: r.provenance.modelId, modelVersion: r.provenance.modelVersion, packageDigest: r.provenance.packageDigest,
          usedModalities: r.provenance.usedModalities, executionProvider: r.provenance.executionProvider, onnxruntimeVersion: r.provenance.onnxruntimeVersion,
          grade: r.grade.top, molecularClass: r.molecularClass.top, riskGroup: r.survival.riskGroup,
          warnings: r.warnings.map((w) => w.code), featureCache: f ? { hit: f.cacheHit, encodedTiles: f.encodedTiles } : null,
        },
      });
    });
    this.emit(await this.repo.row(row.id));
  }

  /** failed / cancelled: state, case status back to what it was, audit — one transaction. */
  private async finalize(row: AnalysisRow, actor: Actor | null, v: { state: 'failed' | 'cancelled'; error: { code: string; message: string }; progress?: AnalysisProgress | null }): Promise<void> {
    await this.d.db.transaction(async (tx) => {
      const ok = await this.repo.finish(tx, row.id, { state: v.state, from: ['queued', 'running'], error: v.error, progress: v.progress ?? null, now: nowIso() });
      if (!ok) return;
      await this.restoreCaseStatusTx(tx, actor, row, `analysis ${row.id} ${v.state}`);
      await this.d.audit.appendTx(tx, actor, {
        action: v.state === 'cancelled' ? 'analysis.cancelled' : 'analysis.failed', entityType: 'analysis', entityId: row.id, patientPseudonym: row.pseudonym,
        before: { state: row.state }, after: { state: v.state, error: v.error }, outcome: v.state === 'failed' ? 'failure' : 'success', reason: v.error.message,
      });
    });
    this.emit(await this.repo.row(row.id));
  }

  /** Puts the case back to its status before the job, unless another job of the case is still active. */
  private async restoreCaseStatusTx(tx: Tx, actor: Actor | null, row: AnalysisRow, note: string): Promise<void> {
    const others = (await this.repo.activeForCase(row.case_id, tx)).filter((r) => r.id !== row.id);
    if (others.length > 0) return;
    const kase = await this.d.patients.getCase(row.case_id, tx);
    if (kase.status !== 'analysing') return;
    let prev = 'new';
    try {
      prev = (JSON.parse(row.params_json) as JobParams).previousCaseStatus || 'new';
    } catch { /* keep 'new' */ }
    if (prev === 'analysing' || prev === 'signed' || prev === 'archived') prev = 'new';
    const target = prev as 'new' | 'ready_for_review';
    if (actor) {
      await this.d.patients.setStatusTx(tx, actor, row.case_id, target, note);
      return;
    }
    // Start-up recovery has no acting user: the history row names the requester, the audit event no one.
    const ts = nowIso();
    await tx.run('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?', [target, ts, row.case_id]);
    await tx.run('INSERT INTO case_status_history (case_id, status, changed_by, changed_at, note) VALUES (?, ?, ?, ?, ?)', [row.case_id, target, row.requested_by, ts, note]);
    await this.d.audit.appendTx(tx, null, { action: 'case.status_changed', entityType: 'case', entityId: row.case_id, patientPseudonym: row.pseudonym, before: { status: 'analysing' }, after: { status: target }, reason: note });
  }

  private emit(row: AnalysisRow): void {
    const s = toSummary(row);
    const e: AnalysisProgressEvent = { id: s.id, caseId: s.caseId, state: s.state, stage: s.stage, progress: s.progress, error: s.error };
    this.events.emit('progress', e);
  }

  private async notifyIdle(id: number): Promise<void> {
    const waiters = this.idleWaiters.get(id);
    if (!waiters) return;
    this.idleWaiters.delete(id);
    const job = await this.repo.get(id);
    for (const w of waiters) w(job);
  }

  /** Stops accepting work, cancels the running job's worker and fails queued jobs of this process. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = this.queue.splice(0);
    for (const q of pending) {
      const row = await this.repo.row(q.id).catch(() => null);
      if (row) await this.finalize(row, q.actor, { state: 'failed', error: { code: 'INTERRUPTED', message: 'The app closed before this queued analysis started; start it again.' } }).catch(() => undefined);
    }
    await this.host.close();
    // Let runOne record the outcome (the worker's exit fails its request).
    for (let i = 0; i < 50 && this.running; i++) await new Promise((r) => setTimeout(r, 100));
  }
}

/** child_process.fork of analysis-worker next to this module (source: .ts via tsx; bundle: .js). */
export function analysisWorkerFactory(): WorkerFactory {
  return forkFactory(workerEntry(import.meta.url, 'analysis-worker'));
}

/** A file name for result folders: the pseudonym and accession, reduced to safe characters. */
export function safeName(s: string): string {
  return path.basename(s).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'case';
}
