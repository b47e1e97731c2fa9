/**
 * Starts `src/main/bridge/dev-web.ts --json` as a child process on a given database and resolves with the JSON line
 * it prints once it listens. Used by the global set-up (the shared bridge) and by specs that need their own
 * database (the audit-chain warning, the heatmap review with a test-fixture model package).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, type BridgeInfo } from './helpers.ts';

export interface BridgeProcess {
  info: BridgeInfo;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `env`: extra environment for the bridge (e.g. GLIOFUSE_ENCODER_PATH for a spec that runs slide analyses). */
export async function startBridgeProcess(db: string, dataDir: string, opts: { env?: Record<string, string> } = {}): Promise<BridgeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join('src', 'main', 'bridge', 'dev-web.ts'), '--db', db, '--data-dir', dataDir, '--port', '0', '--json', '--exit-on-stdin-end'],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env, GLIOFUSE_DB: db } },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    process.stderr.write(`[bridge] ${d.toString()}`);
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the bridge did not start within 60 s: ${stderr.trim()}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bridge exited with code ${code} before it listened: ${stderr.trim()}`));
    });
  });
  const info = JSON.parse(line) as BridgeInfo;
  return {
    info,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}
