/**
 * Issue 13.1: the tile encoder without a network. Status (installed? from where? sha256, version, licence), install
 * from a local file through the router (admin only, sha256-checked, audited, atomic), a wrong file refused with one
 * message and nothing written, and the copy an installer ships (<resources>/encoders) found as "bundled".
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { startTestApp, type TestApp } from '../../helpers/temp-services.ts';
import { sharedFile } from '../../helpers/shared-data.ts';
import { EncoderService } from '../../../src/main/analysis/encoder-service.ts';
import { KNOWN_ENCODERS } from '../../../src/main/analysis/encoder-store.ts';
import type { ModelRegistry } from '../../../src/main/inference/model-packages.ts';

const ID = 'mobilenetv2-12-int8-features';
const UPSTREAM = sharedFile('models', 'mobilenetv2-12-int8.onnx');
const DERIVED = sharedFile('models', 'mobilenetv2-12-int8-with-features.onnx');
const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
type Status = { id: string; installed: boolean; source: string | null; sha256: string | null; licence: string; version: string; usedBy: string[]; path: string | null };

let app: TestApp;
const saved = process.env.GLIOFUSE_ENCODER_PATH;
before(async () => {
  delete process.env.GLIOFUSE_ENCODER_PATH;
  app = await startTestApp();
});
after(async () => {
  if (saved !== undefined) process.env.GLIOFUSE_ENCODER_PATH = saved;
  await app?.close();
});

test('a fresh data folder: not installed; the status names version, licence and the packages that use it', async () => {
  const { encoders } = await app.call('encoder.status', {}) as { encoders: Status[] };
  const s = encoders.find((e) => e.id === ID);
  assert.ok(s);
  assert.deepEqual([s.installed, s.source, s.sha256], [false, null, null]);
  assert.equal(s.licence, 'Apache-2.0');
  assert.match(s.version, /mobilenetv2-12-int8/);
  assert.ok(s.usedBy.includes('umeml-gbmlgg-genomic-ref'), s.usedBy.join(','));
});

test('a wrong file is refused with one message, audited, and nothing is written', async () => {
  const wrong = sharedFile('wsi', 'CMU-1-Small-Region.svs');
  const r = await app.raw('encoder.install', { path: wrong });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'INTEGRITY');
    assert.match(r.error.message, /CMU-1-Small-Region\.svs is not the mobilenetv2-12-int8-features tile encoder: its sha256 is [0-9a-f]{16}…, expected the ONNX Model Zoo mobilenetv2-12-int8\.onnx \(cc028fe6cae7bc11…\); nothing was installed\./);
    assert.doesNotMatch(r.error.message, /\n/);
  }
  assert.equal(fs.existsSync(path.join(app.dir, 'data', 'encoders', `${ID}.onnx`)), false);
  const refused = (await app.s.audit.all()).filter((e) => e.action === 'encoder.install_refused');
  assert.equal(refused.length, 1);
  assert.equal(refused[0]?.outcome, 'failure');
  for (const bad of [{ path: 'relative/x.onnx' }, { path: path.join(app.dir, 'missing.onnx') }, { path: app.dir }]) {
    const x = await app.raw('encoder.install', bad);
    assert.equal(x.ok ? 'ok' : x.error.code, 'BAD_INPUT', JSON.stringify(bad));
  }
});

test('only an administrator may install', async () => {
  await app.login('paula', 'pathologist');
  const r = await app.raw('encoder.install', { path: UPSTREAM }, 'paula');
  assert.equal(r.ok ? 'ok' : r.error.code, 'FORBIDDEN');
  assert.equal((await app.call('encoder.status', {}, 'paula') as { encoders: Status[] }).encoders[0]?.installed, false, 'anyone signed in sees the status');
});

test('the upstream ONNX Model Zoo file installs (features output added), audited; the derived file installs as is', async () => {
  const s = await app.call('encoder.install', { path: UPSTREAM }) as Status;
  assert.deepEqual([s.installed, s.source], [true, 'data-folder']);
  assert.ok(KNOWN_ENCODERS[ID]?.equivalentSha256.includes(s.sha256 ?? ''), 'a pinned derived graph');
  assert.equal(s.sha256, sha(path.join(app.dir, 'data', 'encoders', `${ID}.onnx`)));
  const ev = (await app.s.audit.all()).filter((e) => e.action === 'encoder.installed');
  assert.equal(ev.length, 1);
  assert.equal((ev[0]?.after as { given: string; fileGivenSha256: string }).given, 'upstream');
  assert.equal((ev[0]?.after as { fileGivenSha256: string }).fileGivenSha256, sha(UPSTREAM));
  assert.deepEqual(fs.readdirSync(path.join(app.dir, 'data', 'encoders')), [`${ID}.onnx`], 'no temporary files left');

  const d = await app.call('encoder.install', { path: DERIVED }) as Status;
  assert.equal(d.sha256, sha(DERIVED));
});

test('the copy an installer ships is found in <resources>/encoders as "bundled"', async () => {
  const resources = path.join(app.dir, 'resources');
  fs.mkdirSync(path.join(resources, 'encoders'), { recursive: true });
  fs.copyFileSync(DERIVED, path.join(resources, 'encoders', `${ID}.onnx`));
  const models = { list: async () => [] } as unknown as ModelRegistry;
  const svc = new EncoderService({ audit: app.s.audit, models, dataDir: path.join(app.dir, 'empty-data'), resourcesPath: resources });
  const s = (await svc.status()).encoders[0];
  assert.deepEqual([s?.installed, s?.source, s?.sha256], [true, 'bundled', sha(DERIVED)]);
  // A shipped file that does not match is reported, not used.
  fs.writeFileSync(path.join(resources, 'encoders', `${ID}.onnx`), 'tampered');
  const t = (await svc.status()).encoders[0];
  assert.equal(t?.installed, false);
  assert.match(t?.problem ?? '', /sha256/);
});
