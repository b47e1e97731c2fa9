/**
 * The `analyses`, `predictions` and `feature_cache` tables. State changes are guarded (`WHERE state IN …`) so a
 * job can only move along queued → running → succeeded | failed | cancelled (queued → cancelled | failed too).
 */
import type { Db, Tx } from '../store/db.ts';
import { AnalysisResult } from '../../shared/analysis-result.ts';
import type { AnalysisJob, AnalysisJobSummary, AnalysisProgress, AnalysisStage, AnalysisState } from '../../shared/contract/analysis.ts';
import { AnalysisProgress as ProgressSchema } from '../../shared/contract/analysis.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type { Warning } from '../../shared/analysis-result.ts';
import type { SlideWork } from './modalities.ts';

export interface AnalysisRow {
  id: number;
  case_id: number;
  slide_id: number | null;
  genomic_id: number | null;
  model_id: string;
  model_version: string;
  state: AnalysisState;
  stage: AnalysisStage | null;
  progress_json: string;
  params_json: string;
  error_json: string | null;
  requested_by: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  owner_host: string | null;
  owner_pid: number | null;
  worker_pid: number | null;
  heartbeat_at: string | null;
  feature_cache_key: string | null;
  pseudonym: string;
  requested_by_name: string;
}

/** What params_json holds: the request as resolved, plus what is needed to undo the case status on failure. */
export interface JobParams {
  forceCpu: boolean;
  requestedProvider?: string | undefined;
  previousCaseStatus: string;
  slideId: number | null;
  genomicProfileId: number | null;
  /** Issue 13: what was decided for the slide at start, and the warnings that go with it (absent on older jobs). */
  slideWork?: SlideWork;
  caseHasSlide?: boolean;
  slideQc?: boolean;
  notes?: Warning[];
}

const SELECT = `SELECT a.*, p.pseudonym, u.display_name AS requested_by_name
  FROM analyses a JOIN cases c ON c.id = a.case_id JOIN patients p ON p.id = c.patient_id
  LEFT JOIN users u ON u.id = a.requested_by`;

function parseProgress(json: string): AnalysisProgress | null {
  try {
    const r = ProgressSchema.safeParse(JSON.parse(json));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export function toSummary(r: AnalysisRow): AnalysisJobSummary {
  let error: { code: string; message: string } | null = null;
  if (r.error_json) {
    try {
      const e = JSON.parse(r.error_json) as { code?: unknown; message?: unknown };
      error = { code: String(e.code ?? 'INTERNAL'), message: String(e.message ?? 'failed') };
    } catch {
      error = { code: 'INTERNAL', message: 'failed' };
    }
  }
  return {
    id: r.id, caseId: r.case_id, patientPseudonym: r.pseudonym, slideId: r.slide_id, genomicProfileId: r.genomic_id,
    modelId: r.model_id, modelVersion: r.model_version, state: r.state, stage: r.stage, progress: parseProgress(r.progress_json),
    error, requestedBy: r.requested_by_name ?? `user ${r.requested_by}`, createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
  };
}

export class AnalysesRepo {
  constructor(private readonly db: Db) {}

  async row(id: number, tx: Pick<Tx, 'get'> = this.db): Promise<AnalysisRow> {
    const r = await tx.get<AnalysisRow>(`${SELECT} WHERE a.id = ?`, [id]);
    if (!r) throw new GliofuseError('NOT_FOUND', `No analysis with id ${id}.`);
    return r;
  }

  async get(id: number): Promise<AnalysisJob> {
    const r = await this.row(id);
    const p = await this.db.get<{ result_json: string }>('SELECT result_json FROM predictions WHERE analysis_id = ?', [id]);
    let result: AnalysisJob['result'] = null;
    if (p) {
      const parsed = AnalysisResult.safeParse(JSON.parse(p.result_json));
      if (!parsed.success) throw new GliofuseError('INTEGRITY', `The stored result of analysis ${id} does not match the result schema.`);
      result = parsed.data;
    }
    return { ...toSummary(r), result };
  }

  async listForCase(caseId: number): Promise<AnalysisJobSummary[]> {
    const rows = await this.db.all<AnalysisRow>(`${SELECT} WHERE a.case_id = ? ORDER BY a.id DESC`, [caseId]);
    return rows.map(toSummary);
  }

  async active(tx: Pick<Tx, 'all'> = this.db): Promise<AnalysisRow[]> {
    return tx.all<AnalysisRow>(`${SELECT} WHERE a.state IN ('queued', 'running') ORDER BY a.id`);
  }

  async activeForCase(caseId: number, tx: Pick<Tx, 'all'> = this.db): Promise<AnalysisRow[]> {
    return tx.all<AnalysisRow>(`${SELECT} WHERE a.case_id = ? AND a.state IN ('queued', 'running') ORDER BY a.id`, [caseId]);
  }

  async insertQueued(tx: Tx, v: { caseId: number; slideId: number | null; genomicId: number | null; modelId: string; modelVersion: string; params: JobParams; requestedBy: number; ownerHost: string; ownerPid: number; now: string }): Promise<number> {
    const progress: AnalysisProgress = { stage: 'queued', done: 0, total: 0, etaSeconds: null };
    const r = await tx.run(
      `INSERT INTO analyses (case_id, slide_id, genomic_id, model_id, model_version, state, stage, progress_json, params_json, requested_by, created_at, owner_host, owner_pid, heartbeat_at)
       VALUES (?, ?, ?, ?, ?, 'queued', 'queued', ?, ?, ?, ?, ?, ?, ?)`,
      [v.caseId, v.slideId, v.genomicId, v.modelId, v.modelVersion, JSON.stringify(progress), JSON.stringify(v.params), v.requestedBy, v.now, v.ownerHost, v.ownerPid, v.now],
    );
    return r.lastID;
  }

  async markRunning(id: number, now: string): Promise<boolean> {
    const r = await this.db.run(`UPDATE analyses SET state = 'running', started_at = ?, heartbeat_at = ? WHERE id = ? AND state = 'queued'`, [now, now, id]);
    return r.changes === 1;
  }

  async heartbeat(id: number, v: { progress: AnalysisProgress | null; workerPid: number | null; now: string }): Promise<void> {
    if (v.progress) {
      await this.db.run(`UPDATE analyses SET stage = ?, progress_json = ?, worker_pid = COALESCE(?, worker_pid), heartbeat_at = ? WHERE id = ? AND state = 'running'`,
        [v.progress.stage, JSON.stringify(v.progress), v.workerPid, v.now, id]);
    } else {
      await this.db.run(`UPDATE analyses SET worker_pid = COALESCE(?, worker_pid), heartbeat_at = ? WHERE id = ? AND state = 'running'`, [v.workerPid, v.now, id]);
    }
  }

  /** Final transition; false when the job was no longer in one of `from` (someone else finished it). */
  async finish(tx: Tx, id: number, v: { state: 'succeeded' | 'failed' | 'cancelled'; from: AnalysisState[]; error: { code: string; message: string } | null; progress: AnalysisProgress | null; cacheKey?: string | null; now: string }): Promise<boolean> {
    const marks = v.from.map(() => '?').join(', ');
    const r = await tx.run(
      `UPDATE analyses SET state = ?, error_json = ?, finished_at = ?, heartbeat_at = ?,
         progress_json = COALESCE(?, progress_json), stage = COALESCE(?, stage), feature_cache_key = COALESCE(?, feature_cache_key)
       WHERE id = ? AND state IN (${marks})`,
      [v.state, v.error ? JSON.stringify(v.error) : null, v.now, v.now, v.progress ? JSON.stringify(v.progress) : null, v.progress?.stage ?? null, v.cacheKey ?? null, id, ...v.from],
    );
    return r.changes === 1;
  }

  async insertPrediction(tx: Tx, analysisId: number, result: AnalysisResult, provenance: unknown, now: string): Promise<void> {
    await tx.run('INSERT INTO predictions (analysis_id, result_json, provenance_json, created_at) VALUES (?, ?, ?, ?)', [analysisId, JSON.stringify(result), JSON.stringify(provenance), now]);
  }

  async recordCacheUse(tx: Tx, v: { key: string; slideHashKind: string; slideHash: string; encoderId: string; encoderSha256: string; params: unknown; tiles: number; featureDim: number; hit: boolean; now: string }): Promise<void> {
    await tx.run(
      `INSERT INTO feature_cache (cache_key, slide_hash_kind, slide_hash, encoder_id, encoder_sha256, params_json, tile_count, feature_dim, bytes, created_at, last_used_at, hits)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(cache_key) DO UPDATE SET last_used_at = excluded.last_used_at, hits = hits + ?`,
      [v.key, v.slideHashKind, v.slideHash, v.encoderId, v.encoderSha256, JSON.stringify(v.params ?? {}), v.tiles, v.featureDim, v.tiles * v.featureDim * 4, v.now, v.now, v.hit ? 1 : 0, v.hit ? 1 : 0],
    );
  }
}
