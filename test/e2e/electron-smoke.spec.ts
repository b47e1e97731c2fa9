/**
 * _electron smoke test: launches the built app where an Electron binary exists and checks the window shows the
 * renderer with the RUO banner. This machine (and CI) installs electron with ELECTRON_SKIP_BINARY_DOWNLOAD=1,
 * so it skips here, saying why.
 *
 * The binary is located by reading node_modules/electron/path.txt rather than `require('electron')`: that
 * module tries to download the binary when it is missing, and the tests must never reach the network.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { _electron as electron, expect, test } from '@playwright/test';
import { REPO_ROOT, type BrowserGlobals } from './helpers.ts';
import { RUO_STATEMENT } from '../../src/shared/ruo.ts';

function electronBinary(): { path: string } | { reason: string } {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : 'electron');
    return fs.existsSync(p) ? { path: p } : { reason: `ELECTRON_OVERRIDE_DIST_PATH has no Electron binary (${p})` };
  }
  try {
    const pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = path.join(pkgDir, 'path.txt');
    if (!fs.existsSync(pathFile)) return { reason: 'no Electron binary on this machine (electron was installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1)' };
    const bin = path.join(pkgDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
    return fs.existsSync(bin) ? { path: bin } : { reason: `no Electron binary on this machine (${bin} is missing)` };
  } catch {
    return { reason: 'no Electron binary on this machine (the electron package is not installed)' };
  }
}

const MAIN = path.join(REPO_ROOT, 'dist', 'electron', 'main.js');

test('the Electron app opens its window with the renderer and the RUO banner', async () => {
  const bin = electronBinary();
  if ('reason' in bin) {
    console.log(`electron smoke: skipped — ${bin.reason}`);
    test.skip(true, bin.reason);
    return;
  }
  if (!fs.existsSync(MAIN)) {
    console.log('electron smoke: skipped — dist/electron/main.js is not built (run `npm run build`)');
    test.skip(true, 'dist/electron/main.js is not built');
    return;
  }
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-electron-'));
  const app = await electron.launch({
    executablePath: bin.path,
    args: [MAIN, `--user-data-dir=${userData}`, ...(process.platform === 'linux' ? ['--no-sandbox', '--disable-gpu'] : [])],
    env: { ...process.env, GLIOFUSE_DB: path.join(userData, 'gliofuse.sqlite'), GLIOFUSE_DATA_DIR: userData },
  });
  try {
    const win = await app.firstWindow();
    await expect(win.getByRole('note', { name: 'Intended use' })).toContainText(RUO_STATEMENT);
    await expect(win.getByRole('heading', { name: 'Set up the administrator' })).toBeVisible();
    expect(win.url().startsWith('app://')).toBe(true);
    // The preload exposes only the agreed API.
    const keys = await win.evaluate(() => Object.keys((globalThis as unknown as BrowserGlobals).gliofuse ?? {}).sort());
    expect(keys).toEqual(['invoke', 'onEvent', 'tileUrl']);
    await win.screenshot({ path: path.join(REPO_ROOT, 'test-results', 'screenshots', '90-electron-window.png') });
  } finally {
    await app.close();
    fs.rmSync(userData, { recursive: true, force: true });
  }
});
