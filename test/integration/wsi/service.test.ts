import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { sharedFile } from '../../helpers/shared-data.ts';
import { Db } from '../../../src/main/store/db.ts';
import { migrate } from '../../../src/main/store/migrate.ts';
import { AuditLog } from '../../../src/main/audit/audit-log.ts';
import { Sessions } from '../../../src/main/auth/sessions.ts';
import { Router, type Handlers } from '../../../src/main/router.ts';
import { SlideEngine } from '../../../src/main/wsi/engine.ts';
import { SlideService } from '../../../src/main/wsi/service.ts';
import { slideHandlers } from '../../../src/main/wsi/handlers.ts';
import type { Actor } from '../../../src/shared/actor.ts';
import { GliofuseError } from '../../../src/shared/errors.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-slides-'));
let db: Db;
let audit: AuditLog;
let slides: SlideService;
let router: Router;
let sessions: Sessions;
const admin: Actor = { userId: 1, username: 'ada', displayName: 'Ada Admin', role: 'admin' };
const viewer: Actor = { userId: 2, username: 'vic', displayName: 'Vic Viewer', role: 'viewer' };
let caseId = 0;
const codeOf = (e: unknown) => (e instanceof GliofuseError ? e.code : String(e));

before(async () => {
  db = await Db.open(path.join(tmp, 'g.sqlite'));
  await migrate(db);
  audit = new AuditLog(db, 'test');
  const ts = new Date().toISOString();
  for (const a of [admin, viewer]) {
    await db.run('INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [a.userId, a.username, a.displayName, a.role, 'x', ts, ts]);
  }
  await db.run('INSERT INTO patients (id, pseudonym, created_by, created_at, updated_at) VALUES (1, ?, 1, ?, ?)', ['GLIO-0001', ts, ts]);
  caseId = (await db.run('INSERT INTO cases (patient_id, accession, created_by, created_at, updated_at) VALUES (1, ?, 1, ?, ?)', ['S-1', ts, ts])).lastID;
  sessions = new Sessions(() => 60_000);
  slides = new SlideService({ db, audit, engine: new SlideEngine({ workers: 1 }), sessions });
  router = new Router(slideHandlers({ slides }) as unknown as Handlers, audit, sessions);
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

let slideId = 0;

test('attach validates with OpenSlide, hashes, stores allow-listed metadata and flags, audits with the pseudonym', async () => {
  const file = sharedFile('wsi', 'CMU-1-Small-Region.svs');
  const d = await ok<{ id: number; hashKind: string; hash: string; vendor: string; properties: Record<string, string>; associatedImages: { name: string; sensitive: boolean }[]; quality: unknown[]; tissue: { params: { method: string } } | null; patientPseudonym: string; levels: unknown[]; quickhash: string }>('admin', 'slides.attach', { caseId, path: file });
  slideId = d.id;
  assert.equal(d.hashKind, 'sha256');
  assert.match(d.hash, /^[0-9a-f]{64}$/);
  assert.equal(d.vendor, 'aperio');
  assert.equal(d.patientPseudonym, 'GLIO-0001');
  assert.equal(d.levels.length, 1);
  assert.match(d.quickhash, /^[0-9a-f]{64}$/);
  assert.equal(d.properties['aperio.AppMag'], '20');
  assert.ok(!Object.keys(d.properties).some((k) => /comment|ImageDescription|Filename|User|Date|Time/i.test(k)), 'no free text, names or dates');
  assert.deepEqual(d.associatedImages.filter((a) => a.sensitive).map((a) => a.name).sort(), ['label', 'macro']);
  assert.deepEqual(d.quality, []);
  assert.equal(d.tissue?.params.method, 'otsu');
  const ev = (await audit.list({ action: 'slide.attached', limit: 5, offset: 0 })).events[0]!;
  assert.equal(ev.patientPseudonym, 'GLIO-0001');
  assert.equal(ev.entityId, String(slideId));

  const dup = await call('admin', 'slides.attach', { caseId, path: file });
  assert.equal(dup.ok ? 'ok' : dup.error.code, 'CONFLICT');
  const bad = await call('admin', 'slides.attach', { caseId, path: sharedFile('wsi', 'kidney-48-5.tif') });
  assert.equal(bad.ok ? 'ok' : bad.error.code, 'BAD_INPUT');
  const rel = await call('admin', 'slides.attach', { caseId, path: 'relative/slide.svs' });
  assert.equal(rel.ok ? 'ok' : rel.error.code, 'BAD_INPUT');
  const noCase = await call('admin', 'slides.attach', { caseId: 999, path: file });
  assert.equal(noCase.ok ? 'ok' : noCase.error.code, 'NOT_FOUND');
  const denied = await call('viewer', 'slides.attach', { caseId, path: sharedFile('wsi', 'CMU-1-Small-Region.pyramid.tif') });
  assert.equal(denied.ok ? 'ok' : denied.error.code, 'FORBIDDEN');
});

test('list, get, dzi, thumbnail, tissue and tile grid for the viewer', async () => {
  const l = await ok<{ slides: { id: number; available: boolean }[] }>('viewer', 'slides.list', { caseId });
  assert.deepEqual(l.slides.map((s) => [s.id, s.available]), [[slideId, true]]);
  const g = await ok<{ mppX: number; objectivePower: number }>('viewer', 'slides.get', { id: slideId });
  assert.equal(g.mppX, 0.499);
  const dzi = await ok<{ levelCount: number; tileSize: number; overlap: number; xml: string; tilePath: string }>('viewer', 'slides.dzi', { id: slideId });
  assert.deepEqual([dzi.levelCount, dzi.tileSize, dzi.overlap], [13, 254, 1]);
  assert.equal(dzi.tilePath, `${slideId}/{level}/{col}_{row}.jpeg`);
  const th = await ok<{ width: number; height: number; dataUrl: string }>('viewer', 'slides.thumbnail', { id: slideId, maxSize: 256 });
  assert.equal(Math.max(th.width, th.height), 256);
  assert.match(th.dataUrl, /^data:image\/jpeg;base64,/);
  const ti = await ok<{ maskPng: string; tissueFraction: number; params: { closeSize: number } }>('viewer', 'slides.tissue', { id: slideId, params: { closeSize: 2 } });
  assert.match(ti.maskPng, /^data:image\/png;base64,/);
  assert.equal(ti.params.closeSize, 2);
  const grid = await ok<{ count: number; tiles: [number, number, number][]; level: number }>('viewer', 'slides.tileGrid', { id: slideId, params: { mpp: 0.5 } });
  assert.equal(grid.count, grid.tiles.length);
  assert.ok(grid.count > 30);
  assert.ok(grid.tiles.every(([x, y, f]) => x % 224 === 0 && y % 224 === 0 && f >= 0.5));
  const reads = (await audit.list({ action: 'read.slides.get', limit: 5, offset: 0 })).events;
  assert.equal(reads[0]?.patientPseudonym, 'GLIO-0001');
});

test('label/macro: refused to a viewer, shown to an editor and audited', async () => {
  const v = await call('viewer', 'slides.associated', { id: slideId, name: 'label' });
  assert.equal(v.ok ? 'ok' : v.error.code, 'FORBIDDEN');
  const a = await ok<{ dataUrl: string; width: number }>('admin', 'slides.associated', { id: slideId, name: 'label' });
  assert.match(a.dataUrl, /^data:image\/png;base64,/);
  const ev = (await audit.list({ action: 'slide.associated_image_viewed', limit: 5, offset: 0 })).events[0]!;
  assert.equal(ev.patientPseudonym, 'GLIO-0001');
  assert.equal(ev.userName, 'Ada Admin');
  const missing = await call('admin', 'slides.associated', { id: slideId, name: '../../etc/passwd' });
  assert.equal(missing.ok ? 'ok' : missing.error.code, 'NOT_FOUND');
});

test('serveSlideTile: registered slides only, by id; malformed or traversal addresses refused and audited', async () => {
  const jpeg = await slides.serveSlideTile(slideId, 12, 1, 1, 'jpeg', { sessionId: 'viewer' });
  assert.equal((await sharp(jpeg).metadata()).format, 'jpeg');
  const same = await slides.serveSlideTile(String(slideId), '12', '1', '1');
  assert.ok(same.equals(jpeg));
  const refusals: [unknown[], string][] = [
    [[424242, 0, 0, 0], 'NOT_FOUND'],
    [['../../etc/passwd', 0, 0, 0], 'BAD_INPUT'],
    [[`${slideId}/../1`, 0, 0, 0], 'BAD_INPUT'],
    [[slideId, '..', 0, 0], 'BAD_INPUT'],
    [[slideId, 12, -1, 0], 'BAD_INPUT'],
    [[slideId, 12, 1.5, 0], 'BAD_INPUT'],
    [[slideId, 12, 999, 0], 'BAD_INPUT'],
    [[slideId, 99, 0, 0], 'BAD_INPUT'],
    [[0, 0, 0, 0], 'BAD_INPUT'],
  ];
  for (const [args, code] of refusals) {
    await assert.rejects(slides.serveSlideTile(args[0], args[1], args[2], args[3], 'jpeg', { sessionId: 'viewer' }), (e) => codeOf(e) === code, JSON.stringify(args));
  }
  await assert.rejects(slides.serveSlideTile(slideId, 12, 1, 1, 'png'), (e) => codeOf(e) === 'BAD_INPUT');
  const evs = (await audit.list({ action: 'slide.tile_refused', limit: 50, offset: 0 })).events;
  // Identical refusals (same slide, same reason) within a minute are audited once: 9 refusals, 7 distinct.
  assert.ok(evs.length >= 7, `audited ${evs.length}`);
  assert.ok(evs.every((e) => e.outcome === 'denied'));
  assert.ok(evs.some((e) => e.userName === 'Vic Viewer' && /NOT_FOUND/.test(e.reason ?? '')));
  // The same refusal repeated within a minute is audited once.
  const n = evs.length;
  await assert.rejects(slides.serveSlideTile(424242, 0, 0, 0), (e) => codeOf(e) === 'NOT_FOUND');
  await assert.rejects(slides.serveSlideTile(424242, 0, 0, 0), (e) => codeOf(e) === 'NOT_FOUND');
  assert.ok((await audit.list({ action: 'slide.tile_refused', limit: 50, offset: 0 })).events.length <= n + 1);
  assert.equal((await audit.verify()).ok, true);
});
