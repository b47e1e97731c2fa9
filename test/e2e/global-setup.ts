/**
 * Starts the loopback bridge as a child process on a fresh temp database:
 *   node --import tsx src/main/bridge/dev-web.ts --db TMP --port 0 --json --exit-on-stdin-end
 * reads the one JSON line it prints (url, origin, token) and hands it to the specs through GLIOFUSE_E2E_BRIDGE.
 * Builds nothing: the test command builds first; a missing build is reported in one clear line.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './helpers.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'renderer', 'index.html'))) {
    throw new Error('dist/renderer is not built; run `npm run build` before the e2e tests.');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-e2e-'));
  const db = path.join(dir, 'e2e.sqlite');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main/bridge/dev-web.ts', '--db', db, '--data-dir', path.join(dir, 'data'), '--port', '0', '--json', '--exit-on-stdin-end'],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, GLIOFUSE_DB: db } },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    process.stderr.write(`[bridge] ${d.toString()}`);
  });

  const info = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the bridge did not start within 60 s: ${stderr.trim()}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bridge exited with code ${code} before it listened: ${stderr.trim()}`));
    });
  });
  const parsed = JSON.parse(info) as { url: string; origin: string; token: string; db: string };
  process.env.GLIOFUSE_E2E_BRIDGE = JSON.stringify({ ...parsed, dir });
  fs.mkdirSync(path.join(REPO_ROOT, 'test-results', 'screenshots'), { recursive: true });

  return async () => {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
