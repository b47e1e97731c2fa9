/**
 * The start-up audit-chain check reaches the UI: an event altered outside Gliofuse (with the sqlite3 command-line
 * tool, after dropping the append-only trigger) makes every screen show the integrity warning, and the audit log
 * names the broken event. Runs on its own database and bridge.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { shot, watchConsole, type BridgeInfo } from './helpers.ts';
import { startBridgeProcess, type BridgeProcess } from './bridge-process.ts';

const ADMIN = { username: 'chain.admin', displayName: 'Chain Admin', password: 'chain-admin-pass-1' };

async function callAs(info: BridgeInfo, steps: [string, unknown][]): Promise<void> {
  const headers = { Authorization: `Bearer ${info.token}`, 'Content-Type': 'application/json' };
  const s = (await (await fetch(`${info.origin}/session`, { method: 'POST', headers, body: '{}' })).json()) as { value: { sessionId: string } };
  for (const [channel, body] of steps) {
    const r = (await (await fetch(`${info.origin}/api/${channel}`, { method: 'POST', headers: { ...headers, 'X-Gliofuse-Session': s.value.sessionId }, body: JSON.stringify(body) })).json()) as { ok: boolean; error?: { message: string } };
    if (!r.ok) throw new Error(`${channel}: ${r.error?.message}`);
  }
}

test('a tampered audit log shows the integrity warning on every screen', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-chain-'));
  const db = path.join(dir, 'chain.sqlite');
  let bridge: BridgeProcess | null = null;
  try {
    bridge = await startBridgeProcess(db, path.join(dir, 'data'));
    await callAs(bridge.info, [
      ['auth.setupAdmin', ADMIN],
      ['patients.create', { pseudonym: 'CHAIN-001' }],
      ['patients.create', { pseudonym: 'CHAIN-002' }],
    ]);
    await bridge.stop();

    // Someone edits event 2 behind the app's back.
    execFileSync('sqlite3', [db, "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET reason = 'edited later' WHERE seq = 2;"]);

    bridge = await startBridgeProcess(db, path.join(dir, 'data'));
    await page.goto(bridge.info.url);
    const warning = page.getByRole('alert').filter({ hasText: 'Audit log integrity check failed' });
    await expect(warning).toBeVisible();
    await expect(warning).toContainText('event 2');
    await shot(page, '19-chain-warning-login');

    await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('current-user')).toHaveText(ADMIN.displayName);
    await expect(warning).toBeVisible();
    await warning.getByRole('link', { name: 'Open the audit log' }).click();
    await expect(page.getByTestId('chain-status')).toHaveText('Hash chain broken at event 2');
    await page.getByRole('button', { name: 'Verify now' }).click();
    await expect(page.locator('.chain-card')).toContainText(/verified \d{4}-/);
    await expect(page.getByTestId('chain-status')).toHaveText('Hash chain broken at event 2');
    await shot(page, '20-chain-broken-audit');
  } finally {
    await bridge?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  expect(problems).toEqual([]);
});
