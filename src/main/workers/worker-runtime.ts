/**
 * The worker-process side of the protocol: installs typed handlers and answers requests. Works under
 * `child_process.fork` (process.send) and Electron's utilityProcess (process.parentPort), detected at run time so
 * worker modules never import electron. Several requests may run at once (handlers are async); errors leave as
 * the typed shape only.
 */
import net from 'node:net';
import { toErrorShape, GliofuseError } from '../../shared/errors.ts';
import { FRAME_ENV, FrameReader, encodeFrame } from './frames.ts';
import {
  DEBUG_CRASH_METHOD, DEBUG_ENV, STATS_METHOD, WORKER_PROTOCOL_VERSION, isRequest,
  type RequestMessage, type ResponseMessage, type WorkerApi, type WorkerStats, type ReadyMessage,
} from './protocol.ts';

export type WorkerHandlers<Api extends WorkerApi> = {
  [M in keyof Api]: (params: Api[M]['params']) => Promise<Api[M]['result']>;
};

interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

export function serveWorker<Api extends WorkerApi>(handlers: WorkerHandlers<Api>, opts: { onExit?: () => void } = {}): void {
  const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  let send: (m: ResponseMessage | ReadyMessage) => void;
  const frameFd = Number(process.env[FRAME_ENV] ?? NaN);
  if (parentPort) {
    send = (m) => parentPort.postMessage(m);
    parentPort.on('message', (e) => void onMessage(e.data));
  } else if (Number.isInteger(frameFd) && process.send) {
    // Forked by forkFactory: frames over the extra socket (bytes copied once), IPC only to notice the host leaving.
    const sock = new net.Socket({ fd: frameFd, readable: true, writable: true });
    const reader = new FrameReader();
    sock.on('data', (chunk: Buffer) => { for (const m of reader.push(chunk)) void onMessage(m); });
    sock.on('error', () => process.exit(0));
    send = (m) => {
      const parts = encodeFrame(m);
      sock.cork();
      for (const p of parts) sock.write(p);
      sock.uncork();
    };
    process.on('disconnect', () => { opts.onExit?.(); process.exit(0); });
    process.on('message', () => undefined);
  } else if (process.send) {
    const s = process.send.bind(process);
    send = (m) => { s(m); };
    process.on('message', (m: unknown) => void onMessage(m));
    // The host's end closing means the app is gone: do not linger as an orphan.
    process.on('disconnect', () => { opts.onExit?.(); process.exit(0); });
  } else {
    throw new Error('serveWorker: this process was not started as a worker (no IPC channel)');
  }

  const table = handlers as Record<string, (p: unknown) => Promise<unknown>>;

  async function onMessage(m: unknown): Promise<void> {
    if (!isRequest(m)) return;
    const req: RequestMessage = m;
    try {
      const result = await dispatch(req);
      send({ kind: 'response', id: req.id, ok: true, result });
    } catch (err) {
      if (!(err instanceof GliofuseError) && process.env.GLIOFUSE_WORKER_LOG !== '0') {
        console.error(`[worker ${process.pid}] ${req.method} failed:`, err);
      }
      send({ kind: 'response', id: req.id, ok: false, error: toErrorShape(err) });
    }
  }

  async function dispatch(req: RequestMessage): Promise<unknown> {
    if (req.method === DEBUG_CRASH_METHOD) {
      if (process.env[DEBUG_ENV] !== '1') throw new GliofuseError('FORBIDDEN', 'Crash simulation is disabled in this worker.');
      // What a native library bug looks like from outside: the process dies on SIGSEGV (no JS unwinding, no
      // exit handlers). process.abort() would do as well but prints a V8 stack dump on every test run.
      process.kill(process.pid, 'SIGSEGV');
      await new Promise(() => undefined);
    }
    if (req.method === STATS_METHOD) {
      const stats: WorkerStats = { pid: process.pid, maxRssKb: process.resourceUsage().maxRSS, rssBytes: process.memoryUsage.rss() };
      return stats;
    }
    const h = Object.prototype.hasOwnProperty.call(table, req.method) ? table[req.method] : undefined;
    if (!h) throw new GliofuseError('BAD_INPUT', `Unknown worker method "${req.method.slice(0, 60)}".`);
    return h(req.params);
  }

  send({ kind: 'ready', pid: process.pid, protocol: WORKER_PROTOCOL_VERSION });
}
