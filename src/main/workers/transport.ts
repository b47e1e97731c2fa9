/**
 * What the host needs from a worker process, whatever launched it. `child_process.fork` (CLI, tests, bridge) is
 * adapted here; the Electron shell passes its own factory around `utilityProcess.fork`, whose objects already have
 * this shape (postMessage / on('message') / on('exit') / kill), so nothing here imports electron.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { filterWorkerStderr } from './stderr-filter.ts';
import type { Socket } from 'node:net';
import { FRAME_ENV, FRAME_FD, FrameReader, encodeFrame } from './frames.ts';
import { fileURLToPath } from 'node:url';

export interface WorkerLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number | null) => void): unknown;
  kill(): unknown;
  readonly pid?: number | undefined;
}

export interface WorkerSpawnOptions {
  /** Extra environment for the worker (merged over the parent's). */
  env?: Record<string, string | undefined>;
}

/** Creates a fresh worker process each time it is called (the host calls it again after a crash). */
export type WorkerFactory = (opts: WorkerSpawnOptions) => WorkerLike;

/**
 * Resolves a worker module that sits next to `fromUrl`: `name.ts` when running from sources (tsx), `name.js` when
 * running from the bundle (where the worker is emitted next to the bundle).
 */
export function workerEntry(fromUrl: string, name: string): string {
  const ext = /\.[cm]?ts$/.test(new URL(fromUrl).pathname) ? '.ts' : '.js';
  return fileURLToPath(new URL(`./${name}${ext}`, fromUrl));
}

/** Flags worth passing on to a worker: loaders and feature switches, never the test runner, inspector or watch mode. */
function inheritableExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--import' || a === '--require' || a === '-r' || a === '--loader' || a === '--experimental-loader' || a === '--conditions' || a === '-C') {
      const v = argv[i + 1];
      if (v !== undefined) out.push(a, v);
      i++;
    } else if (/^--(import|require|loader|experimental-loader|conditions)=/.test(a) || a.startsWith('--experimental-') || a.startsWith('--no-warnings') || a.startsWith('--max-old-space-size')) {
      out.push(a);
    }
  }
  return out;
}

/**
 * A bare `tsx` loader specifier is resolved against the working directory, which need not be the app's; the
 * worker gets the absolute location resolved from here instead (running from sources only).
 */
function absoluteTsx(a: string): string {
  if (a !== 'tsx') return a;
  try {
    return import.meta.resolve('tsx');
  } catch {
    return a;
  }
}

/** `child_process.fork` adapter. Advanced serialization carries Uint8Array buffers as bytes (no JSON/base64). */
export function forkFactory(entry: string): WorkerFactory {
  return (opts) => {
    const execArgv = inheritableExecArgv(process.execArgv).map(absoluteTsx);
    if (entry.endsWith('.ts') && !execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', absoluteTsx('tsx'));
    // Messages travel as frames over an extra socket pair (fd 4; see frames.ts); the IPC channel stays for
    // disconnect detection (a worker exits when its host goes away).
    const child: ChildProcess = fork(entry, [], {
      execArgv,
      env: { ...process.env, ...opts.env, [FRAME_ENV]: String(FRAME_FD) },
      serialization: 'advanced',
      // stderr goes through the host's filter: native libraries' raw lines (libtiff) never precede our one-line errors.
      stdio: ['ignore', 'inherit', 'pipe', 'ipc', 'pipe'],
    });
    if (child.stderr) filterWorkerStderr(child.stderr, process.stderr);
    return new ForkedWorker(child);
  };
}

class ForkedWorker implements WorkerLike {
  private exited = false;
  private readonly exitListeners: ((code: number | null) => void)[] = [];
  private readonly messageListeners: ((m: unknown) => void)[] = [];
  private readonly frames: Socket;
  constructor(private readonly child: ChildProcess) {
    this.frames = child.stdio[FRAME_FD] as Socket;
    const reader = new FrameReader();
    this.frames.on('data', (chunk: Buffer) => {
      for (const m of reader.push(chunk)) for (const l of this.messageListeners) l(m);
    });
    this.frames.on('error', () => undefined); // the exit handler reports the failure
    const onExit = (code: number | null) => {
      if (this.exited) return;
      this.exited = true;
      for (const l of this.exitListeners) l(code);
    };
    child.on('exit', (code) => onExit(code));
    // A spawn failure emits 'error' and may never emit 'exit'.
    child.on('error', () => onExit(null));
  }
  get pid(): number | undefined {
    return this.child.pid;
  }
  postMessage(message: unknown): void {
    if (this.exited || this.frames.destroyed) throw new Error('worker is not running');
    const parts = encodeFrame(message);
    this.frames.cork();
    for (const p of parts) this.frames.write(p);
    this.frames.uncork();
  }
  on(event: 'message', listener: (message: unknown) => void): this;
  on(event: 'exit', listener: (code: number | null) => void): this;
  on(event: 'message' | 'exit', listener: ((message: unknown) => void) | ((code: number | null) => void)): this {
    if (event === 'message') this.messageListeners.push(listener as (m: unknown) => void);
    else this.exitListeners.push(listener as (code: number | null) => void);
    return this;
  }
  kill(): boolean {
    return this.child.kill('SIGKILL');
  }
}
