import { test } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { argbToRgb, argbToRgba, parseBackground } from '../../../src/main/wsi/pixels.ts';
import { allowListProperties, deriveMpp, deriveObjectivePower, isAllowedProperty } from '../../../src/main/wsi/slide-meta.ts';
import { LruCache } from '../../../src/main/wsi/lru.ts';
import { libraryCandidates } from '../../../src/main/wsi/openslide-ffi.ts';

const argb = (a: number, r: number, g: number, b: number) => ((a << 24) | (r << 16) | (g << 8) | b) >>> 0;

test('premultiplied ARGB -> RGB: opaque unchanged, transparent = background, partial composited', () => {
  const src = new Uint32Array([argb(255, 10, 20, 30), argb(0, 0, 0, 0), argb(128, 64, 0, 128)]);
  assert.deepEqual([...argbToRgb(src)], [10, 20, 30, 255, 255, 255, 64 + 127, 127, 255]);
  assert.deepEqual([...argbToRgb(src, [0, 0, 0])], [10, 20, 30, 0, 0, 0, 64, 0, 128]);
});

test('premultiplied ARGB -> RGB: the four-pixel fast path equals the per-pixel rule on mixed, odd-length input', () => {
  // Runs of opaque pixels (fast path), blocks with one transparent or partial pixel (slow path) and a 3-pixel tail.
  let seed = 7;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  const n = 4 * 500 + 3;
  const src = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rand();
    const a = r % 13 === 0 ? 0 : r % 11 === 0 ? 64 + (r % 128) : 255;
    const c = () => Math.round(((rand() % 256) * a) / 255); // premultiplied: colour <= alpha
    src[i] = argb(a, c(), c(), c());
  }
  for (const bgc of [[255, 255, 255], [10, 200, 30]] as const) {
    const expected: number[] = [];
    for (const v of src) {
      const a = v >>> 24, t = (255 - a) / 255;
      const ch = (s: number, b: number) => (a === 255 ? s : Math.min(255, bgc[0] === 255 && bgc[1] === 255 && bgc[2] === 255 ? s + 255 - a : Math.round(s + b * t)));
      expected.push(ch((v >>> 16) & 255, bgc[0]), ch((v >>> 8) & 255, bgc[1]), ch(v & 255, bgc[2]));
    }
    const got = argbToRgb(src, bgc);
    assert.equal(got.length, n * 3);
    assert.deepEqual([...got], expected);
  }
});

test('premultiplied ARGB -> un-premultiplied RGBA', () => {
  const src = new Uint32Array([argb(255, 10, 20, 30), argb(0, 0, 0, 0), argb(128, 64, 0, 128)]);
  assert.deepEqual([...argbToRgba(src)], [10, 20, 30, 255, 0, 0, 0, 0, 128, 0, 255, 128]);
});

test('background colour property', () => {
  assert.deepEqual(parseBackground('FF8000'), [255, 128, 0]);
  assert.deepEqual(parseBackground(null), [255, 255, 255]);
  assert.deepEqual(parseBackground('nope'), [255, 255, 255]);
});

test('MPP: openslide.mpp-x first, then TIFF resolution (cm or inch), never a 72-dpi default', () => {
  assert.deepEqual(deriveMpp({ 'openslide.mpp-x': '0.25', 'openslide.mpp-y': '0.26' }), { mppX: 0.25, mppY: 0.26, source: 'openslide' });
  const cm = deriveMpp({ 'tiff.ResolutionUnit': 'centimeter', 'tiff.XResolution': '20000', 'tiff.YResolution': '20000' });
  assert.deepEqual(cm, { mppX: 0.5, mppY: 0.5, source: 'tiff-resolution' });
  const inch = deriveMpp({ 'tiff.ResolutionUnit': 'inch', 'tiff.XResolution': '101600' });
  assert.equal(inch.mppX, 0.25);
  assert.equal(deriveMpp({ 'tiff.ResolutionUnit': 'inch', 'tiff.XResolution': '72' }).mppX, null);
  assert.equal(deriveMpp({ 'tiff.ResolutionUnit': 'none', 'tiff.XResolution': '1' }).source, null);
  assert.equal(deriveMpp({}).mppX, null);
  assert.equal(deriveObjectivePower({ 'openslide.objective-power': '20' }), 20);
  assert.equal(deriveObjectivePower({ 'aperio.AppMag': '40' }), 40);
  assert.equal(deriveObjectivePower({}), null);
});

test('property allow-list keeps technical fields and drops identifying free text', () => {
  const props = {
    'openslide.vendor': 'aperio', 'openslide.mpp-x': '0.499', 'openslide.level[0].width': '2220', 'aperio.AppMag': '20',
    'openslide.comment': 'Aperio Image Library ... Filename = PATIENT-123', 'tiff.ImageDescription': 'Filename = PATIENT-123|User = x',
    'aperio.Filename': 'PATIENT-123', 'aperio.User': 'b414003d', 'aperio.Date': '12/29/09', 'aperio.Barcode': '1234', 'hamamatsu.Created': '2011/05/23',
    'tiff.DateTime': '2017:02:07 13:06:43', 'tiff.DocumentName': 'john doe',
  };
  const out = allowListProperties(props);
  assert.deepEqual(Object.keys(out).sort(), ['aperio.AppMag', 'openslide.level[0].width', 'openslide.mpp-x', 'openslide.vendor']);
  assert.equal(isAllowedProperty('openslide.level[12].downsample'), true);
  assert.equal(isAllowedProperty('openslide.level[0].width.extra'), false);
});

test('LRU evicts least recently used by cost', () => {
  const c = new LruCache<string, Buffer>(10, (b) => b.length);
  c.set('a', Buffer.alloc(4));
  c.set('b', Buffer.alloc(4));
  c.get('a');
  c.set('c', Buffer.alloc(4));
  assert.equal(c.get('b'), undefined);
  assert.ok(c.get('a'));
  assert.ok(c.get('c'));
  c.set('huge', Buffer.alloc(11));
  assert.equal(c.get('huge'), undefined);
  assert.equal(c.cost, 8);
});

test('library search order: explicit, bundled resources, then system names .so.1, .so.0, dylib, dll', () => {
  const list = libraryCandidates({ explicitPath: '/opt/x/libopenslide.so.1', resourcesPath: '/definitely/not/here', platform: 'linux' });
  assert.deepEqual(list.map((c) => c.spec), ['/opt/x/libopenslide.so.1', 'libopenslide.so.1', 'libopenslide.so.0', 'libopenslide.1.dylib', 'libopenslide.0.dylib', 'libopenslide-1.dll', 'libopenslide-0.dll']);
  const res = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-res-'));
  try {
    assert.equal(libraryCandidates({ resourcesPath: res, platform: 'linux' })[0]!.source, 'system', 'no openslide/ folder: skipped');
    fs.mkdirSync(path.join(res, 'openslide'));
    const withRes = libraryCandidates({ explicitPath: '/x.so', resourcesPath: res, platform: 'linux' });
    assert.deepEqual(withRes.slice(0, 3).map((c) => c.source), ['explicit', 'bundled', 'bundled']);
    assert.equal(withRes[1]!.spec, path.join(res, 'openslide', 'libopenslide.so.1'));
  } finally {
    fs.rmSync(res, { recursive: true, force: true });
  }
});
