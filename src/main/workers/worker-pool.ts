/**
 * N worker hosts of the same module. Each call goes to the least busy worker (ties broken by an optional affinity
 * key, so repeated work on one file tends to land where its handle and caches already are). A crash in one worker
 * fails only that worker's requests.
 */
import type { WorkerApi, WorkerStats } from './protocol.ts';
import { WorkerHost, type CallOptions, type WorkerHostOptions } from './worker-host.ts';

export interface PoolCallOptions extends CallOptions {
  /** Prefer the worker `affinity % size` when it is not busier than the others. */
  affinity?: number;
  /**
   * How many more requests in flight the preferred worker may have than the least busy one before the call goes
   * elsewhere (default 0). Work that shares decoded data (neighbouring deep-zoom tiles read the same source tiles,
   * which each worker's OpenSlide caches separately) is worth a short queue.
   */
  slack?: number;
}

export class WorkerPool<Api extends WorkerApi> {
  readonly hosts: WorkerHost<Api>[];

  constructor(size: number, opts: WorkerHostOptions) {
    const n = Math.max(1, Math.floor(size));
    this.hosts = Array.from({ length: n }, (_, i) => new WorkerHost<Api>({ ...opts, name: n > 1 ? `${opts.name} #${i + 1}` : opts.name }));
  }

  get size(): number {
    return this.hosts.length;
  }

  pick(affinity?: number, slack = 0): WorkerHost<Api> {
    const n = this.hosts.length;
    const start = affinity === undefined ? 0 : ((affinity % n) + n) % n;
    const preferred = this.hosts[start] as WorkerHost<Api>;
    let best = preferred;
    for (let k = 1; k < n; k++) {
      const h = this.hosts[(start + k) % n] as WorkerHost<Api>;
      if (h.inFlight < best.inFlight) best = h;
    }
    return preferred.inFlight - best.inFlight <= Math.max(0, slack) ? preferred : best;
  }

  call<M extends keyof Api & string>(method: M, params: Api[M]['params'], opts: PoolCallOptions = {}): Promise<Api[M]['result']> {
    return this.pick(opts.affinity, opts.slack).call(method, params, opts);
  }

  /** Runs on one specific worker (index modulo size). */
  callOn<M extends keyof Api & string>(index: number, method: M, params: Api[M]['params'], opts: CallOptions = {}): Promise<Api[M]['result']> {
    const n = this.hosts.length;
    return (this.hosts[((index % n) + n) % n] as WorkerHost<Api>).call(method, params, opts);
  }

  /** Sends the same request to every worker (e.g. "close this file"), ignoring workers that are not running. */
  async broadcast<M extends keyof Api & string>(method: M, params: Api[M]['params']): Promise<void> {
    await Promise.all(this.hosts.filter((h) => h.pid !== undefined).map((h) => h.call(method, params).catch(() => undefined)));
  }

  async stats(): Promise<WorkerStats[]> {
    return Promise.all(this.hosts.filter((h) => h.pid !== undefined).map((h) => h.stats()));
  }

  get inFlight(): number {
    return this.hosts.reduce((s, h) => s + h.inFlight, 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.close()));
  }
}
