/**
 * Starts the loopback bridge as a child process on a fresh temp database:
 *   node --import tsx src/main/bridge/dev-web.ts --db TMP --port 0 --json --exit-on-stdin-end
 * reads the one JSON line it prints (url, origin, token) and hands it to the specs through GLIOFUSE_E2E_BRIDGE.
 * Builds nothing: the test command builds first; a missing build is reported in one clear line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './helpers.ts';
import { startBridgeProcess } from './bridge-process.ts';
// Checks ../shared/data against its SHA256SUMS before any spec reads it (throws naming the file that differs).
import '../helpers/shared-data.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'renderer', 'index.html'))) {
    throw new Error('dist/renderer is not built; run `npm run build` before the e2e tests.');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-e2e-'));
  const bridge = await startBridgeProcess(path.join(dir, 'e2e.sqlite'), path.join(dir, 'data'));
  process.env.GLIOFUSE_E2E_BRIDGE = JSON.stringify(bridge.info);
  fs.mkdirSync(path.join(REPO_ROOT, 'test-results', 'screenshots'), { recursive: true });
  return async () => {
    await bridge.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
