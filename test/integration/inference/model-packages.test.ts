import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { ModelRegistry, checkPackage, verifyPackage } from '../../../src/main/inference/model-packages.ts';
import { GliofuseError } from '../../../src/shared/errors.ts';
import { buildTestPackage, rewriteManifest } from './fixtures/test-package.ts';

let root: string;
let pristine: string;

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-pkg-'));
  pristine = buildTestPackage(path.join(root, 'pristine')).dir;
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh copy of the valid package in its own folder (tests mutate it). */
function copy(id = 'umeml-test-tiny'): string {
  const dir = path.join(root, `case${++n}`, id);
  fs.cpSync(pristine, dir, { recursive: true });
  return dir;
}

async function refusal(dir: string): Promise<string> {
  const err = await verifyPackage(dir).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof GliofuseError, 'expected a refusal');
  assert.equal(err.code, 'INTEGRITY');
  return err.message;
}

test('a valid package verifies; its digest is the sha256 of the manifest bytes', async () => {
  const pkg = await verifyPackage(pristine);
  assert.equal(pkg.id, 'umeml-test-tiny');
  assert.equal(pkg.digest, crypto.createHash('sha256').update(fs.readFileSync(path.join(pristine, 'manifest.json'))).digest('hex'));
  assert.equal(pkg.modelPath, path.join(pristine, 'umeml.onnx'));
  assert.deepEqual(pkg.check.unlistedFiles, []);
});

test('a model file altered in place (same size) is refused, naming the file', async () => {
  const dir = copy();
  const f = path.join(dir, 'umeml.onnx');
  const b = fs.readFileSync(f);
  b[b.length - 5] = (b[b.length - 5] as number) ^ 0xff;
  fs.writeFileSync(f, b);
  assert.match(await refusal(dir), /umeml\.onnx: sha256 .* does not match the manifest's .* \(altered\)/);
});

test('a truncated file is refused by size', async () => {
  const dir = copy();
  const f = path.join(dir, 'cohort', 'km_by_risk_group.json');
  fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 3));
  assert.match(await refusal(dir), /cohort\/km_by_risk_group\.json: has 3 bytes but the manifest lists \d+/);
});

test('a listed file that is missing is refused', async () => {
  const dir = copy();
  fs.rmSync(path.join(dir, 'MODEL_CARD.md'));
  const msg = await refusal(dir);
  assert.match(msg, /MODEL_CARD\.md: listed in the manifest but missing/);
  assert.match(msg, /umeml-test-tiny 0\.0\.1/);
});

test('a manifest that fails the schema is refused naming the field', async () => {
  const dir = copy();
  rewriteManifest(dir, (m) => { m.intendedUse = 'Diagnostic use.'; });
  assert.match(await refusal(dir), /manifest\.json: does not match the manifest schema: intendedUse/);
  const dir2 = copy();
  fs.writeFileSync(path.join(dir2, 'manifest.json'), '{"schemaVersion": 1,');
  assert.match(await refusal(dir2), /manifest\.json: is not valid JSON/);
});

test('a manifest path that tries to leave the package is refused before any file is read', async () => {
  const dir = copy();
  rewriteManifest(dir, (m) => { (m.files[1] as { path: string }).path = '../../etc/passwd'; });
  assert.match(await refusal(dir), /files\.1\.path/);
});

test('a symbolic link in place of a listed file is refused', async () => {
  const dir = copy();
  fs.rmSync(path.join(dir, 'MODEL_CARD.md'));
  fs.symlinkSync(path.join(pristine, 'MODEL_CARD.md'), path.join(dir, 'MODEL_CARD.md'));
  assert.match(await refusal(dir), /MODEL_CARD\.md: is a symbolic link/);
});

test('a file the manifest does not list refuses the package (the spec: every file is listed)', async () => {
  const dir = copy();
  fs.mkdirSync(path.join(dir, 'extra'));
  fs.writeFileSync(path.join(dir, 'extra', 'notes.txt'), 'x');
  const c = await checkPackage(dir);
  assert.equal(c.ok, false);
  assert.deepEqual(c.unlistedFiles, ['extra/notes.txt']);
  assert.match(c.reason ?? '', /extra\/notes\.txt: is in the package folder but not listed in the manifest/);
});

test('registry: lists good and bad packages, refuses a folder whose name differs from the id, user copy wins', async () => {
  const bundled = path.join(root, 'reg-bundled');
  const user = path.join(root, 'reg-user');
  fs.cpSync(pristine, path.join(bundled, 'umeml-test-tiny'), { recursive: true });
  fs.cpSync(pristine, path.join(bundled, 'renamed'), { recursive: true });
  fs.mkdirSync(path.join(bundled, 'training')); // not a package: no manifest
  const reg = new ModelRegistry([{ dir: bundled, source: 'bundled' }, { dir: user, source: 'user' }]);
  const list = await reg.list();
  assert.equal(list.length, 2);
  const renamed = list.find((c) => c.dir.endsWith('renamed'));
  assert.equal(renamed?.ok, false);
  assert.match(renamed?.reason ?? '', /declares id "umeml-test-tiny" but the folder is named "renamed"/);
  assert.equal((await reg.get('umeml-test-tiny')).source, 'bundled');

  const r = await reg.import(pristine);
  assert.equal(r.replaced, null);
  assert.equal(r.pkg.source, 'user');
  assert.equal(r.pkg.dir, path.join(user, 'umeml-test-tiny'));
  assert.equal((await reg.get('umeml-test-tiny')).source, 'user');
  assert.deepEqual(fs.readdirSync(user), ['umeml-test-tiny'], 'no temporary folders left behind');

  await assert.rejects(reg.get('nope'), (e: unknown) => e instanceof GliofuseError && e.code === 'NOT_FOUND');
  await assert.rejects(reg.get('../reg-bundled/umeml-test-tiny'), (e: unknown) => e instanceof GliofuseError && e.code === 'BAD_INPUT');
});

test('import: refuses a tampered source and leaves nothing; refuses a second copy unless replace; replace swaps', async () => {
  const user = path.join(root, 'imp-user');
  const reg = new ModelRegistry([{ dir: user, source: 'user' }]);
  const bad = copy();
  fs.appendFileSync(path.join(bad, 'MODEL_CARD.md'), 'tampered');
  await assert.rejects(reg.import(bad), (e: unknown) => e instanceof GliofuseError && e.code === 'INTEGRITY' && /MODEL_CARD\.md/.test(e.message));
  assert.equal(fs.existsSync(user) ? fs.readdirSync(user).length : 0, 0);

  await reg.import(pristine);
  await assert.rejects(reg.import(pristine), (e: unknown) => e instanceof GliofuseError && e.code === 'CONFLICT' && /--replace/.test(e.message));

  const v2 = copy();
  rewriteManifest(v2, (m) => { m.version = '0.0.2'; });
  const r = await reg.import(v2, { replace: true });
  assert.deepEqual(r.replaced?.version, '0.0.1');
  assert.equal((await reg.get('umeml-test-tiny')).manifest.version, '0.0.2');
  assert.deepEqual(fs.readdirSync(user), ['umeml-test-tiny']);
});

test('the verification cache notices a file changed after the first check', async () => {
  const parent = path.join(root, 'cache');
  fs.cpSync(pristine, path.join(parent, 'umeml-test-tiny'), { recursive: true });
  const reg = new ModelRegistry([{ dir: parent, source: 'user' }]);
  assert.equal((await reg.find('umeml-test-tiny')).ok, true);
  const f = path.join(parent, 'umeml-test-tiny', 'umeml.onnx');
  const b = fs.readFileSync(f);
  b[10] = (b[10] as number) ^ 1;
  fs.writeFileSync(f, b);
  const again = await reg.find('umeml-test-tiny');
  assert.equal(again.ok, false);
  assert.match(again.reason ?? '', /umeml\.onnx/);
});
