import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, execFileSync } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../../helpers/temp-services.ts';
import { createServices } from '../../../src/main/services.ts';

test('kill -9 during a write burst leaves integrity_check ok and a verifiable audit chain', async () => {
  const dir = tempDir();
  const dbPath = path.join(dir, 'crash.sqlite');
  const child = fork(new URL('./crash-writer.ts', import.meta.url), [dbPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m) => { if (m === 'writing') setTimeout(resolve, 300); });
    child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
  });
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await exited;

  assert.equal(execFileSync('sqlite3', [dbPath, 'PRAGMA integrity_check;'], { encoding: 'utf8' }).trim(), 'ok');
  const s = await createServices({ dbPath, dataDir: dir, appVersion: '0.0.0-test' });
  const v = await s.audit.verify();
  assert.equal(v.ok, true, v.reason ?? '');
  const patients = (await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM patients'))!.n;
  const events = (await s.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'patient.created'"))!.n;
  assert.ok(patients >= 15, `the burst wrote (${patients} patients)`);
  // Change and event commit together: never one without the other, even when killed mid-way.
  assert.equal(events, patients);
  await s.close();
});
