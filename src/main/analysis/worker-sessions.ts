/**
 * ONNX sessions kept for the life of the analysis worker (issue 16, "one session per worker, not per job"): the
 * UMEML session of a model and the tile-encoder pool are created on first use and reused by every later case of
 * a batch and every later analysis in the app, as long as what they were opened with is unchanged (model file
 * and digest, encoder file, provider choice, threads). Opening costs far more than a genomics-only case runs
 * (onnxruntime graph optimisation; WebGPU shader compilation), so a batch of genomics-only cases was dominated by
 * it.
 *
 * Off by default: a one-off caller (the benchmark, a test calling the pipeline in-process) gets a session per call,
 * closed at the end, so no encoder thread keeps its process alive. analysis-worker.ts turns it on; the worker's
 * exit releases everything. At most MAX_MODELS UMEML sessions and one encoder pool are kept (the least recently
 * used is closed), which bounds memory when a user switches between packages.
 */
import { UmemlSession, type SessionModel, type UmemlSessionOptions } from '../inference/umeml-session.ts';
import { EncoderPool, type EncoderThreadOptions } from './encoder-thread.ts';
import type { EncoderSpec } from './tile-encoder.ts';

const MAX_MODELS = 2;

export interface SessionCounts {
  /** UMEML sessions opened in this process (a reuse does not count). */
  umemlOpened: number;
  umemlReused: number;
  /** Encoder pools started (each with its threads' sessions). */
  encoderPoolsStarted: number;
  encoderPoolsReused: number;
}

export interface Lease<T> {
  value: T;
  /** Closes the value unless the cache keeps it. */
  release(): Promise<void>;
  reused: boolean;
}

class WorkerSessions {
  private enabled = false;
  private readonly models = new Map<string, Promise<UmemlSession>>();
  private pool: { key: string; pool: Promise<EncoderPool> } | null = null;
  readonly counts: SessionCounts = { umemlOpened: 0, umemlReused: 0, encoderPoolsStarted: 0, encoderPoolsReused: 0 };

  /** Keep sessions between calls (the analysis worker process). */
  enable(): void {
    this.enabled = true;
  }

  async umeml(model: SessionModel, opts: UmemlSessionOptions): Promise<Lease<UmemlSession>> {
    const { environment: _env, ...plain } = opts;
    const key = JSON.stringify([model.modelPath, model.digest, plain]);
    if (!this.enabled || opts.environment) {
      this.counts.umemlOpened++;
      const s = await UmemlSession.open(model, opts);
      return { value: s, reused: false, release: () => s.close().catch(() => undefined) };
    }
    const have = this.models.get(key);
    if (have) {
      const s = await have.catch(() => null);
      if (s) {
        this.counts.umemlReused++;
        this.models.delete(key);
        this.models.set(key, have); // most recently used last
        return { value: s, reused: true, release: async () => undefined };
      }
      this.models.delete(key);
    }
    this.counts.umemlOpened++;
    const opening = UmemlSession.open(model, opts);
    this.models.set(key, opening);
    opening.catch(() => this.models.delete(key));
    while (this.models.size > MAX_MODELS) {
      const [oldKey, old] = this.models.entries().next().value as [string, Promise<UmemlSession>];
      this.models.delete(oldKey);
      void old.then((s) => s.close()).catch(() => undefined);
    }
    return { value: await opening, reused: false, release: async () => undefined };
  }

  async encoderPool(spec: EncoderSpec, options: EncoderThreadOptions, count: number): Promise<Lease<EncoderPool>> {
    if (!this.enabled) {
      this.counts.encoderPoolsStarted++;
      const p = await EncoderPool.start(spec, options, count);
      return { value: p, reused: false, release: () => p.close() };
    }
    const key = JSON.stringify([spec, options, count]);
    if (this.pool?.key === key) {
      const p = await this.pool.pool.catch(() => null);
      if (p?.alive) {
        this.counts.encoderPoolsReused++;
        return { value: p, reused: true, release: async () => undefined };
      }
    }
    const old = this.pool;
    if (old) void old.pool.then((p) => p.close()).catch(() => undefined);
    this.counts.encoderPoolsStarted++;
    const starting = EncoderPool.start(spec, options, count);
    this.pool = { key, pool: starting };
    starting.catch(() => { if (this.pool?.pool === starting) this.pool = null; });
    return { value: await starting, reused: false, release: async () => undefined };
  }

  async closeAll(): Promise<void> {
    const models = [...this.models.values()];
    this.models.clear();
    const pool = this.pool;
    this.pool = null;
    await Promise.all([...models.map((m) => m.then((s) => s.close()).catch(() => undefined)), pool?.pool.then((p) => p.close()).catch(() => undefined)]);
  }
}

/** This process's sessions (one analysis worker = one process). */
export const workerSessions = new WorkerSessions();
