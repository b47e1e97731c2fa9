/**
 * The analysis worker's handle on the tile-encoder thread (tile-encoder-worker.ts): open, encode batches with at
 * most a few in flight, close. A batch buffer is transferred to the thread and comes back with its features, so
 * a fixed pool of batch buffers circulates and memory stays flat however many tiles a slide has.
 */
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { GliofuseError, ERROR_CODES, type ErrorShape } from '../../shared/errors.ts';
import { workerEntry } from '../workers/transport.ts';
import type { EncoderInfo, EncoderOpenOptions, EncoderSpec } from './tile-encoder.ts';

/** What crosses the thread boundary: plain data only (no functions, so no test-only environment overrides). */
export type EncoderThreadOptions = Omit<EncoderOpenOptions, 'environment'>;

export type EncoderThreadRequest =
  | { kind: 'open'; spec: EncoderSpec; options: EncoderThreadOptions }
  | { kind: 'encode'; id: number; batch: Float32Array; n: number }
  | { kind: 'close' };

export type EncoderThreadReply =
  | { kind: 'opened'; info: EncoderInfo }
  | { kind: 'encoded'; id: number; features: Float32Array; batch: Float32Array; ms: number }
  | { kind: 'error'; id: number | null; error: ErrorShape }
  | { kind: 'closed' };

export interface EncodedBatch {
  features: Float32Array;
  /** The same buffer that was sent, handed back for reuse. */
  batch: Float32Array;
  ms: number;
}

const CODES = new Set<string>(ERROR_CODES);
const toError = (e: ErrorShape) => new GliofuseError(CODES.has(e.code) ? e.code : 'INTERNAL', e.message);

export class EncoderThread {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: EncodedBatch): void; reject(e: unknown): void }>();
  private dead: GliofuseError | null = null;
  private closedWaiter: (() => void) | null = null;
  /** Sum of encoder run times (ms), for the stage-rate figures. */
  encodeMs = 0;

  private constructor(private readonly worker: Worker, readonly info: EncoderInfo) {
    worker.on('message', (m: EncoderThreadReply) => this.onMessage(m));
    worker.on('error', (e) => this.die(new GliofuseError('WORKER_CRASHED', `The tile encoder thread failed (${e.message.split('\n')[0]}).`)));
    worker.on('exit', () => this.die(new GliofuseError('CANCELLED', 'The tile encoder thread stopped.')));
  }

  static start(spec: EncoderSpec, options: EncoderThreadOptions): Promise<EncoderThread> {
    const entry = workerEntry(import.meta.url, 'tile-encoder-worker');
    // From sources the thread needs tsx's loader, which `--import tsx` does not install in worker threads.
    const worker = entry.endsWith('.ts')
      ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(entry).href)}); })`, { eval: true })
      : new Worker(entry);
    return new Promise((resolve, reject) => {
      const onMessage = (m: EncoderThreadReply) => {
        cleanup();
        if (m.kind === 'opened') resolve(new EncoderThread(worker, m.info));
        else {
          void worker.terminate();
          reject(m.kind === 'error' ? toError(m.error) : new GliofuseError('INTERNAL', 'unexpected reply from the tile encoder thread'));
        }
      };
      const onError = (e: Error) => {
        cleanup();
        reject(new GliofuseError('WORKER_CRASHED', `The tile encoder thread could not start (${e.message.split('\n')[0]}).`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      const req: EncoderThreadRequest = { kind: 'open', spec, options };
      worker.postMessage(req);
    });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** False once the thread died or was closed (a kept pool is then started again). */
  get alive(): boolean {
    return this.dead === null;
  }

  /** Transfers `batch` to the thread (it is unusable until the promise returns it). */
  encode(batch: Float32Array, n: number): Promise<EncodedBatch> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const req: EncoderThreadRequest = { kind: 'encode', id, batch, n };
      this.worker.postMessage(req, [batch.buffer as ArrayBuffer]);
    });
  }

  private onMessage(m: EncoderThreadReply): void {
    if (m.kind === 'closed') {
      this.closedWaiter?.();
      return;
    }
    if (m.kind === 'opened') return;
    const id = m.id;
    if (id === null) return;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (m.kind === 'encoded') {
      this.encodeMs += m.ms;
      p.resolve({ features: m.features, batch: m.batch, ms: m.ms });
    } else p.reject(toError(m.error));
  }

  private die(err: GliofuseError): void {
    if (!this.dead) this.dead = err;
    for (const [, p] of this.pending) p.reject(err);
    this.pending.clear();
    this.closedWaiter?.();
  }

  async close(): Promise<void> {
    if (this.dead) return;
    const closed = new Promise<void>((resolve) => { this.closedWaiter = resolve; });
    const req: EncoderThreadRequest = { kind: 'close' };
    this.worker.postMessage(req);
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000).unref())]);
    this.dead = new GliofuseError('CANCELLED', 'The tile encoder thread was closed.');
    await this.worker.terminate();
  }
}

/**
 * Several encoder threads, each with its own session, taking whole batches in turn (least busy first). On a CPU
 * this keeps every core busy without intra-op barriers: a single session with N intra-op threads stalls whenever
 * one of its threads is descheduled by the reader or the preprocessor sharing the cores, while independent
 * single-threaded sessions simply share the cores with them. Results keep their order because callers await
 * batches in submission order (feature-extraction.ts).
 */
export class EncoderPool {
  private constructor(readonly threads: EncoderThread[]) {}

  static async start(spec: EncoderSpec, options: EncoderThreadOptions, count: number): Promise<EncoderPool> {
    const n = Math.max(1, Math.floor(count));
    const started = await Promise.allSettled(Array.from({ length: n }, () => EncoderThread.start(spec, options)));
    const ok = started.filter((r): r is PromiseFulfilledResult<EncoderThread> => r.status === 'fulfilled').map((r) => r.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(ok.map((t) => t.close()));
      throw failed.reason;
    }
    return new EncoderPool(ok);
  }

  /** The first thread's provider facts (all threads were opened with the same options). */
  get info(): EncoderInfo {
    const first = this.threads[0] as EncoderThread;
    return { ...first.info, fellBack: this.threads.some((t) => t.info.fellBack), threads: this.threads.reduce((s, t) => s + t.info.threads, 0) };
  }

  get inFlight(): number {
    return this.threads.reduce((s, t) => s + t.inFlight, 0);
  }

  get alive(): boolean {
    return this.threads.every((t) => t.alive);
  }

  encode(batch: Float32Array, n: number): Promise<EncodedBatch> {
    let best = this.threads[0] as EncoderThread;
    for (const t of this.threads) if (t.inFlight < best.inFlight) best = t;
    return best.encode(batch, n);
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
