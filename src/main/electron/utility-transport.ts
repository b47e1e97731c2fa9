/**
 * Worker processes in the app run as Electron utility processes. `child_process.fork` would start the Electron
 * binary as Node via ELECTRON_RUN_AS_NODE, which the RunAsNode fuse switches off in packaged builds, so the shell
 * hands the services this factory instead (src/main/workers/transport.ts WorkerFactory). A UtilityProcess already
 * has the WorkerLike shape; this adapter only normalises 'exit' (fires once, also when the spawn fails) and refuses
 * postMessage after exit, as the fork adapter does.
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import type { WorkerFactory, WorkerLike } from '../workers/transport.ts';

class UtilityWorker implements WorkerLike {
  private exited = false;
  private readonly exitListeners: ((code: number | null) => void)[] = [];
  constructor(private readonly proc: UtilityProcess) {
    const onExit = (code: number | null) => {
      if (this.exited) return;
      this.exited = true;
      for (const l of this.exitListeners) l(code);
    };
    proc.on('exit', (code) => onExit(code));
    proc.on('error', () => onExit(null));
  }
  get pid(): number | undefined {
    return this.proc.pid;
  }
  postMessage(message: unknown): void {
    if (this.exited) throw new Error('worker is not running');
    this.proc.postMessage(message);
  }
  on(event: 'message', listener: (message: unknown) => void): this;
  on(event: 'exit', listener: (code: number | null) => void): this;
  on(event: 'message' | 'exit', listener: ((message: unknown) => void) | ((code: number | null) => void)): this {
    if (event === 'message') this.proc.on('message', listener as (m: unknown) => void);
    else this.exitListeners.push(listener as (code: number | null) => void);
    return this;
  }
  kill(): boolean {
    return this.proc.kill();
  }
}

/** A factory that starts `entry` (an absolute path to a bundled worker .js) as a utility process. */
export function utilityProcessFactory(entry: string, serviceName: string): WorkerFactory {
  return (opts) =>
    new UtilityWorker(
      utilityProcess.fork(entry, [], {
        serviceName: `Gliofuse ${serviceName}`,
        stdio: 'inherit',
        env: { ...process.env, ...opts.env } as Record<string, string>,
      }),
    );
}
