/**
 * The wire protocol between a worker host and a worker process. Transport-agnostic: the same messages travel over
 * Node's `child_process` IPC (advanced serialization) and Electron's `utilityProcess` postMessage (structured
 * clone), both of which carry Uint8Array pixel buffers without base64 or JSON.
 */
import type { ErrorShape } from '../../shared/errors.ts';

/** A worker API maps method names to their params and result types; host and worker share one such interface. */
export type WorkerApi = Record<string, { params: unknown; result: unknown }>;

export interface RequestMessage {
  kind: 'request';
  id: number;
  method: string;
  params: unknown;
}

export type ResponseMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: ErrorShape };

/**
 * Version of this wire protocol and of the worker APIs carried over it. Raise it with any change a worker of the
 * previous build would misread (a message field, a method's params or result). Host and worker come from one build
 * in an installed app; a mixed installation (a partial update, a stale utility process) must fail clearly, not
 * exchange misread messages.
 */
export const WORKER_PROTOCOL_VERSION = 2;

/** Sent once by the worker when its handlers are installed; the host queues requests until then. */
export interface ReadyMessage {
  kind: 'ready';
  pid: number;
  /** WORKER_PROTOCOL_VERSION of the worker's build (absent before version 2). */
  protocol?: number;
}

export type WorkerToHost = ResponseMessage | ReadyMessage;
export type HostToWorker = RequestMessage;

/** Reserved method: makes the worker crash natively (only honoured when the worker was started with debug enabled). */
export const DEBUG_CRASH_METHOD = '__debug.crash';
/** Reserved method: resource figures of the worker process (peak RSS), used by benchmarks and diagnostics. */
export const STATS_METHOD = '__stats';
export const DEBUG_ENV = 'GLIOFUSE_WORKER_DEBUG';

export interface WorkerStats {
  pid: number;
  maxRssKb: number;
  rssBytes: number;
}

export function isWorkerToHost(m: unknown): m is WorkerToHost {
  if (!m || typeof m !== 'object') return false;
  const k = (m as { kind?: unknown }).kind;
  if (k === 'ready') return typeof (m as { pid?: unknown }).pid === 'number';
  return k === 'response' && typeof (m as { id?: unknown }).id === 'number' && typeof (m as { ok?: unknown }).ok === 'boolean';
}

export function isRequest(m: unknown): m is RequestMessage {
  return !!m && typeof m === 'object' && (m as { kind?: unknown }).kind === 'request'
    && typeof (m as { id?: unknown }).id === 'number' && typeof (m as { method?: unknown }).method === 'string';
}
