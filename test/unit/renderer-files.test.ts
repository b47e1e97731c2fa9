/** One resolver for the renderer's files in both shells (app:// and the bridge): containment, MIME, caching. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { resolveRendererFile } from '../../src/main/renderer-files.ts';
import { resolveAppRequest } from '../../src/main/electron/app-protocol.ts';

const root = path.resolve('/opt/gliofuse/renderer');

test('traversal stays inside the renderer folder; NUL, backslashes, bad escapes and source maps are refused', () => {
  for (const p of ['/../gliofuse.sqlite', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../x', '//etc/passwd']) {
    const r = resolveRendererFile(p, root);
    assert.ok(r.kind === 'file' && r.file.startsWith(root + path.sep), `${p} -> ${JSON.stringify(r)}`);
  }
  for (const p of ['/a%00.js', '/..%5c..%5cwin.ini', '/assets/index.js.map', '/%E0%A4%A']) {
    assert.equal(resolveRendererFile(p, root).kind, 'error', p);
  }
  assert.deepEqual(resolveRendererFile('/%E0%A4%A', root), { kind: 'error', status: 400, message: 'Malformed path.' });
});

test('index, hashed assets and fonts resolve with one MIME table', () => {
  assert.deepEqual(resolveRendererFile('/', root), { kind: 'file', file: path.join(root, 'index.html'), contentType: 'text/html; charset=utf-8', immutable: false });
  const js = resolveRendererFile('/assets/index-3f9a.js', root);
  assert.equal(js.kind === 'file' && js.immutable && js.contentType, 'text/javascript; charset=utf-8');
  const font = resolveRendererFile('/assets/x.woff', root);
  assert.equal(font.kind === 'file' && font.contentType, 'font/woff');
});

test('app:// answers exactly what the shared resolver answers for the path part', () => {
  for (const p of ['/', '/assets/a.css', '/../x', '/a%00b', '/img.webp', '/assets/a.js.map']) {
    assert.deepEqual(resolveAppRequest(`app://gliofuse${p}`, root), resolveRendererFile(p, root), p);
  }
});
