import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isInside, resolveAppRequest } from '../../../src/main/electron/app-protocol.ts';

let tmp: string;
let renderer: string;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-app-protocol-'));
  renderer = path.join(tmp, 'renderer');
  fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html>');
  fs.writeFileSync(path.join(renderer, 'assets', 'index-abc123.js'), 'console.log(1)');
  fs.writeFileSync(path.join(renderer, 'assets', 'index-abc123.js.map'), '{}');
  fs.writeFileSync(path.join(tmp, 'secret.sqlite'), 'patient data');
  fs.mkdirSync(path.join(tmp, 'renderer-evil'));
  fs.writeFileSync(path.join(tmp, 'renderer-evil', 'x.js'), 'evil');
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the root and index map to index.html; assets are immutable with the right MIME type', () => {
  for (const u of ['app://gliofuse/', 'app://gliofuse', 'app://gliofuse/index.html']) {
    const r = resolveAppRequest(u, renderer);
    assert.equal(r.kind, 'file', u);
    if (r.kind === 'file') {
      assert.equal(r.file, path.join(renderer, 'index.html'));
      assert.equal(r.contentType, 'text/html; charset=utf-8');
      assert.equal(r.immutable, false);
      assert.equal(fs.readFileSync(r.file, 'utf8'), '<!doctype html>');
    }
  }
  const js = resolveAppRequest('app://gliofuse/assets/index-abc123.js?v=1#x', renderer);
  assert.equal(js.kind, 'file');
  if (js.kind === 'file') {
    assert.equal(js.contentType, 'text/javascript; charset=utf-8');
    assert.equal(js.immutable, true);
  }
});

test('no URL escapes the renderer folder (traversal, encodings, backslashes, NUL, sibling prefix)', () => {
  const attacks = [
    'app://gliofuse/../secret.sqlite',
    'app://gliofuse/%2e%2e/secret.sqlite',
    'app://gliofuse/%2E%2E%2Fsecret.sqlite',
    'app://gliofuse/assets/..%2f..%2fsecret.sqlite',
    'app://gliofuse/..%5csecret.sqlite',
    'app://gliofuse/%2e%2e%5c%2e%2e%5csecret.sqlite',
    'app://gliofuse/index.html%00.png',
    `app://gliofuse/${encodeURIComponent(path.join(tmp, 'secret.sqlite'))}`,
    'app://gliofuse/%2e%2e/renderer-evil/x.js',
    'app://gliofuse//etc/passwd',
    'app://gliofuse/%252e%252e/secret.sqlite',
  ];
  for (const u of attacks) {
    const r = resolveAppRequest(u, renderer);
    if (r.kind === 'file') {
      assert.ok(isInside(renderer, r.file), `${u} resolved outside: ${r.file}`);
      assert.notEqual(fs.existsSync(r.file) && fs.readFileSync(r.file, 'utf8'), 'patient data', u);
      assert.notEqual(fs.existsSync(r.file) && fs.readFileSync(r.file, 'utf8'), 'evil', u);
    }
  }
});

test('foreign hosts, other schemes, malformed paths, methods and source maps are refused', () => {
  const cases: [string, string, number][] = [
    ['app://other/index.html', 'GET', 403],
    ['wsi://gliofuse/index.html', 'GET', 403],
    ['app://gliofuse/%E0%A4%A', 'GET', 400],
    ['app://gliofuse/a\\b', 'GET', 400],
    ['app://gliofuse/index.html', 'POST', 405],
    ['app://gliofuse/assets/index-abc123.js.map', 'GET', 404],
    ['::::', 'GET', 400],
  ];
  for (const [u, method, status] of cases) {
    const r = resolveAppRequest(u, renderer, method);
    assert.equal(r.kind, 'error', u);
    if (r.kind === 'error') assert.equal(r.status, status, u);
  }
  assert.equal(resolveAppRequest('app://gliofuse/index.html', renderer, 'HEAD').kind, 'file');
});

test('isInside is not fooled by a sibling folder sharing the prefix', () => {
  assert.equal(isInside(renderer, path.join(tmp, 'renderer-evil', 'x.js')), false);
  assert.equal(isInside(renderer, renderer), false);
  assert.equal(isInside(renderer, path.join(renderer, 'a', 'b')), true);
});
