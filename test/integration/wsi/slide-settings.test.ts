/**
 * Issue 13.4 (and 13.3's "keep the parameters"): a user enters the µm/px of a slide whose file records none, and
 * chooses tissue parameters for a slide. Both are stored apart from the file's own values, audited, and used by
 * the tile grid the analysis uses.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedFile } from '../../helpers/shared-data.ts';
import { Db } from '../../../src/main/store/db.ts';
import { migrate } from '../../../src/main/store/migrate.ts';
import { AuditLog } from '../../../src/main/audit/audit-log.ts';
import { Sessions } from '../../../src/main/auth/sessions.ts';
import { Router, type Handlers } from '../../../src/main/router.ts';
import { SlideEngine } from '../../../src/main/wsi/engine.ts';
import { SlideService } from '../../../src/main/wsi/service.ts';
import { slideHandlers } from '../../../src/main/wsi/handlers.ts';
import { slideSettingsHandlers } from '../../../src/main/wsi/slide-settings-handlers.ts';
import type { Actor } from '../../../src/shared/actor.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-slide-settings-'));
let db: Db;
let audit: AuditLog;
let slides: SlideService;
let router: Router;
const admin: Actor = { userId: 1, username: 'ada', displayName: 'Ada Admin', role: 'admin' };
const viewer: Actor = { userId: 2, username: 'vic', displayName: 'Vic Viewer', role: 'viewer' };
let caseId = 0;

before(async () => {
  db = await Db.open(path.join(tmp, 'g.sqlite'));
  await migrate(db);
  audit = new AuditLog(db, 'test');
  const ts = new Date().toISOString();
  for (const a of [admin, viewer]) {
    await db.run('INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [a.userId, a.username, a.displayName, a.role, 'x', ts, ts]);
  }
  await db.run('INSERT INTO patients (id, pseudonym, created_by, created_at, updated_at) VALUES (1, ?, 1, ?, ?)', ['GLIO-0013', ts, ts]);
  caseId = (await db.run('INSERT INTO cases (patient_id, accession, created_by, created_at, updated_at) VALUES (1, ?, 1, ?, ?)', ['S-13', ts, ts])).lastID;
  const sessions = new Sessions(() => 60_000);
  slides = new SlideService({ db, audit, engine: new SlideEngine({ workers: 1 }), sessions });
  router = new Router({ ...slideHandlers({ slides }), ...slideSettingsHandlers({ slides }) } as unknown as Handlers, audit, sessions);
  sessions.signIn(sessions.get('admin'), admin);
  sessions.signIn(sessions.get('viewer'), viewer);
});
after(async () => {
  await slides.close();
  await db.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const call = (sid: string, ch: string, req: unknown) => router.call(ch, req, { transport: 'test', sessionId: sid, senderOk: true });
async function ok<T>(sid: string, ch: string, req: unknown): Promise<T> {
  const r = await call(sid, ch, req);
  if (!r.ok) throw new Error(`${ch}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}
type Detail = { id: number; fileName: string; mppX: number | null; mppSource: string | null; userMpp: { value: number; enteredBy: string; enteredAt: string } | null; tissueParams: { method: string; threshold: number } | null };

test('µm/px entered by a user: stored apart from the file value, used by the tile grid, audited, clearable', async () => {
  // The TCGA JPEG 2000 slide records neither µm/px nor an objective power.
  const d = await ok<Detail>('admin', 'slides.attach', { caseId, path: sharedFile('wsi', 'tcga-cr-7395-01a-01-ts1.svs') });
  assert.equal(d.mppX, null);
  assert.equal(d.userMpp, null);
  const refused = await call('admin', 'slides.tileGrid', { id: d.id });
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : refused.error.message, /µm\/px/);

  const viewerTry = await call('viewer', 'slides.setMpp', { id: d.id, mpp: 0.5 });
  assert.equal(viewerTry.ok ? 'ok' : viewerTry.error.code, 'FORBIDDEN');
  for (const bad of [0, -1, 101, 'x']) assert.equal((await call('admin', 'slides.setMpp', { id: d.id, mpp: bad })).ok, false, String(bad));

  const set = await ok<Detail>('admin', 'slides.setMpp', { id: d.id, mpp: 0.5 });
  assert.equal(set.mppX, null, "the file's value is untouched");
  assert.equal(set.mppSource, null);
  assert.deepEqual([set.userMpp?.value, set.userMpp?.enteredBy], [0.5, 'Ada Admin']);
  const grid = await ok<{ mppSource: string; slideMpp: number; count: number }>('viewer', 'slides.tileGrid', { id: d.id });
  assert.deepEqual([grid.mppSource, grid.slideMpp], ['user', 0.5]);
  assert.ok(grid.count > 0);
  const ev = (await audit.all()).filter((e) => e.action === 'slide.mpp_entered');
  assert.equal(ev.length, 1);
  assert.equal(ev[0]?.userName, 'Ada Admin');
  assert.deepEqual(ev[0]?.after, { userMpp: 0.5, fileMpp: null, fileMppSource: null, fileName: d.fileName });

  const cleared = await ok<Detail>('admin', 'slides.setMpp', { id: d.id, mpp: null });
  assert.equal(cleared.userMpp, null);
  assert.equal((await audit.all()).filter((e) => e.action === 'slide.mpp_cleared').length, 1);
  assert.equal((await call('admin', 'slides.tileGrid', { id: d.id })).ok, false);
});

test('tissue parameters kept for a slide: used by slides.tissue without params, audited, reset with null', async () => {
  const d = await ok<Detail>('admin', 'slides.attach', { caseId, path: sharedFile('wsi', 'CMU-1-Small-Region.svs') });
  const before = await ok<{ threshold: number; thresholdRule: string; tissueFraction: number }>('viewer', 'slides.tissue', { id: d.id });
  assert.equal(before.thresholdRule, 'otsu-capped');
  assert.equal((await call('admin', 'slides.setTissueParams', { id: d.id, params: { threshold: 300 } })).ok, false, 'out of range');
  const kept = await ok<Detail>('admin', 'slides.setTissueParams', { id: d.id, params: { method: 'fixed', threshold: 8 } });
  assert.deepEqual([kept.tissueParams?.method, kept.tissueParams?.threshold], ['fixed', 8]);
  const after = await ok<{ threshold: number; thresholdRule: string; tissueFraction: number; params: { method: string } }>('viewer', 'slides.tissue', { id: d.id });
  assert.deepEqual([after.params.method, after.threshold, after.thresholdRule], ['fixed', 8, 'fixed']);
  assert.ok(after.tissueFraction > before.tissueFraction);
  assert.equal((await audit.all()).filter((e) => e.action === 'slide.tissue_params_set').length, 1);
  const reset = await ok<Detail>('admin', 'slides.setTissueParams', { id: d.id, params: null });
  assert.equal(reset.tissueParams, null);
});
