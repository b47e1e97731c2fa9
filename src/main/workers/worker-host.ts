/**
 * Hosts one crash-isolated worker process. Requests carry ids; responses settle them. If the process dies (native
 * crash in a library, abort, OOM kill), every in-flight request fails with WORKER_CRASHED and the next request
 * starts a fresh process. A request that outlives its timeout kills the process (a hung native call cannot be
 * cancelled any other way), which fails its siblings the same way.
 */
import { GliofuseError, ERROR_CODES, type ErrorShape } from '../../shared/errors.ts';
import {
  DEBUG_CRASH_METHOD, DEBUG_ENV, STATS_METHOD, WORKER_PROTOCOL_VERSION, isWorkerToHost,
  type RequestMessage, type WorkerApi, type WorkerStats, type WorkerToHost,
} from './protocol.ts';
import type { WorkerFactory, WorkerLike } from './transport.ts';

export interface WorkerHostOptions {
  /** A short name for messages ("slide worker"). */
  name: string;
  factory: WorkerFactory;
  env?: Record<string, string | undefined>;
  /** Default per-request timeout. */
  timeoutMs?: number;
  /** How long a new process may take to report ready. */
  startTimeoutMs?: number;
  /** Allows DEBUG_CRASH_METHOD (tests only). */
  debug?: boolean;
}

export interface CallOptions {
  timeoutMs?: number;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout | null;
  method: string;
}

interface Running {
  worker: WorkerLike;
  ready: boolean;
  queue: RequestMessage[];
  pending: Map<number, Pending>;
  startTimer: NodeJS.Timeout | null;
}

const CODES = new Set<string>(ERROR_CODES);

function errorFromShape(e: ErrorShape): GliofuseError {
  const code = CODES.has(e.code) ? e.code : 'INTERNAL';
  return new GliofuseError(code, e.message, e.details);
}

export class WorkerHost<Api extends WorkerApi> {
  private running: Running | null = null;
  private nextId = 1;
  private closed = false;
  private restarts = 0;
  private readonly exitWaiters: (() => void)[] = [];

  constructor(private readonly opts: WorkerHostOptions) {}

  /** Requests currently awaiting an answer (used by pools to pick the least busy worker). */
  get inFlight(): number {
    return this.running?.pending.size ?? 0;
  }
  /** How many times a process was started after the first one. */
  get restartCount(): number {
    return this.restarts;
  }
  get pid(): number | undefined {
    return this.running?.worker.pid;
  }

  call<M extends keyof Api & string>(method: M, params: Api[M]['params'], opts: CallOptions = {}): Promise<Api[M]['result']> {
    return this.send(method, params, opts) as Promise<Api[M]['result']>;
  }

  /** Worker process figures (peak RSS); works for every worker started by a host. */
  stats(): Promise<WorkerStats> {
    return this.send(STATS_METHOD, {}, {}) as Promise<WorkerStats>;
  }

  /** Makes the worker abort, to prove crash isolation. Refused unless the host was created with debug: true. */
  debugCrash(): Promise<void> {
    if (!this.opts.debug) return Promise.reject(new GliofuseError('FORBIDDEN', 'Worker crash simulation is only available in debug mode.'));
    return this.send(DEBUG_CRASH_METHOD, {}, {}) as Promise<void>;
  }

  private send(method: string, params: unknown, opts: CallOptions): Promise<unknown> {
    if (this.closed) return Promise.reject(new GliofuseError('CANCELLED', `The ${this.opts.name} has been shut down.`));
    const r = this.ensureRunning();
    const id = this.nextId++;
    const msg: RequestMessage = { kind: 'request', id, method, params };
    return new Promise((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs ?? 120_000;
      const timer = timeoutMs > 0 && Number.isFinite(timeoutMs)
        ? setTimeout(() => this.onTimeout(r, id, timeoutMs), timeoutMs)
        : null;
      timer?.unref?.();
      r.pending.set(id, { resolve, reject, timer, method });
      if (r.ready) this.post(r, msg);
      else r.queue.push(msg);
    });
  }

  private post(r: Running, msg: RequestMessage): void {
    try {
      r.worker.postMessage(msg);
    } catch {
      this.fail(r, msg.id, new GliofuseError('WORKER_CRASHED', `The ${this.opts.name} stopped before it could take the request; please retry.`));
    }
  }

  private ensureRunning(): Running {
    if (this.running) return this.running;
    const env: Record<string, string | undefined> = { ...this.opts.env };
    if (this.opts.debug) env[DEBUG_ENV] = '1';
    const worker = this.opts.factory({ env });
    const r: Running = { worker, ready: false, queue: [], pending: new Map(), startTimer: null };
    this.running = r;
    const startMs = this.opts.startTimeoutMs ?? 60_000;
    r.startTimer = setTimeout(() => {
      if (!r.ready) this.crash(r, `The ${this.opts.name} did not start within ${Math.round(startMs / 1000)} s.`);
    }, startMs);
    r.startTimer.unref?.();
    worker.on('message', (m: unknown) => this.onMessage(r, m));
    worker.on('exit', (code: number | null) => this.onExit(r, code));
    return r;
  }

  private onMessage(r: Running, m: unknown): void {
    if (!isWorkerToHost(m)) return;
    const msg: WorkerToHost = m;
    if (msg.kind === 'ready') {
      if (msg.protocol !== WORKER_PROTOCOL_VERSION) {
        // Another build's worker: refuse it before any request is misread (each later request retries and fails alike).
        const theirs = msg.protocol === undefined ? 'an older protocol' : `protocol ${msg.protocol}`;
        const why = `The ${this.opts.name} is from another Gliofuse build (${theirs}; this app speaks protocol ${WORKER_PROTOCOL_VERSION}). Reinstall Gliofuse so that all its parts come from one version.`;
        r.queue = []; // queued requests are also pending: crash() fails them with `why`
        this.crash(r, why);
        return;
      }
      r.ready = true;
      if (r.startTimer) clearTimeout(r.startTimer);
      const q = r.queue;
      r.queue = [];
      for (const req of q) this.post(r, req);
      return;
    }
    const p = r.pending.get(msg.id);
    if (!p) return;
    r.pending.delete(msg.id);
    if (p.timer) clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(errorFromShape(msg.error));
  }

  private onExit(r: Running, code: number | null): void {
    if (r.startTimer) clearTimeout(r.startTimer);
    if (this.running === r) {
      this.running = null;
      if (!this.closed) this.restarts++;
    }
    const why = this.closed
      ? new GliofuseError('CANCELLED', `The ${this.opts.name} was shut down before it answered.`)
      : new GliofuseError('WORKER_CRASHED', `The ${this.opts.name} stopped unexpectedly (${code === null ? 'killed by a signal' : `exit code ${code}`}); the request failed and the worker will restart for the next one.`);
    for (const [id] of r.pending) this.fail(r, id, why);
    const waiters = this.exitWaiters.splice(0);
    for (const w of waiters) w();
  }

  private onTimeout(r: Running, id: number, ms: number): void {
    const p = r.pending.get(id);
    if (!p) return;
    this.fail(r, id, new GliofuseError('WORKER_CRASHED', `The ${this.opts.name} did not answer "${p.method}" within ${Math.round(ms / 1000)} s; it was restarted.`));
    this.crash(r, `The ${this.opts.name} was restarted after a request timed out.`);
  }

  /** Kills a misbehaving process; onExit then fails whatever is still pending with `reason`. */
  private crash(r: Running, reason: string): void {
    for (const [id] of r.pending) this.fail(r, id, new GliofuseError('WORKER_CRASHED', reason));
    if (this.running === r) {
      this.running = null;
      this.restarts++;
    }
    try { r.worker.kill(); } catch { /* already gone */ }
  }

  private fail(r: Running, id: number, err: GliofuseError): void {
    const p = r.pending.get(id);
    if (!p) return;
    r.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    p.reject(err);
  }

  /** Stops the process; pending requests fail with CANCELLED. Resolves when the process has exited. */
  async close(): Promise<void> {
    this.closed = true;
    const r = this.running;
    if (!r) return;
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    try { r.worker.kill(); } catch { /* already gone */ }
    await Promise.race([exited, new Promise((res) => setTimeout(res, 5000).unref?.())]);
    this.running = null;
  }
}
