import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SIZE, MIN_WIDTH, STATE_FILE, parseWindowState, readWindowState, restoreBounds, writeWindowState } from '../../../src/main/electron/window-state.ts';

const primary = { x: 0, y: 0, width: 1920, height: 1040 };
const second = { x: 1920, y: 0, width: 1280, height: 1000 };

test('malformed or missing state gives the default, never an exception', () => {
  for (const t of [null, '', '{', '[]', '{"bounds":{"x":"1"}}', '{"bounds":{"x":0,"y":0,"width":-5,"height":10}}', '{"bounds":{"x":1e999,"y":0,"width":5,"height":5}}']) {
    assert.deepEqual(parseWindowState(t), { bounds: null, maximized: false }, String(t));
  }
  assert.deepEqual(restoreBounds(parseWindowState(null), [primary]), DEFAULT_SIZE);
});

test('saved bounds on a connected display are reused; on a removed display the default is used', () => {
  const onSecond = parseWindowState(JSON.stringify({ bounds: { x: 2000, y: 50, width: 1100, height: 800 }, maximized: true }));
  assert.equal(onSecond.maximized, true);
  assert.deepEqual(restoreBounds(onSecond, [primary, second]), { x: 2000, y: 50, width: 1100, height: 800 });
  assert.deepEqual(restoreBounds(onSecond, [primary]), DEFAULT_SIZE);
});

test('a window hanging off a display edge is pulled back fully onto it and never below the minimum size', () => {
  const b = restoreBounds({ bounds: { x: 1500, y: -20, width: 900, height: 300 }, maximized: false }, [primary]);
  assert.ok('x' in b);
  if ('x' in b) {
    assert.ok(b.x >= 0 && b.x + b.width <= 1920);
    assert.ok(b.y >= 0);
    assert.ok(b.width >= MIN_WIDTH);
  }
});

test('state survives a write/read round trip atomically', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-winstate-'));
  try {
    writeWindowState(dir, { bounds: { x: 10, y: 20, width: 1200, height: 800 }, maximized: false });
    assert.deepEqual(readWindowState(dir), { bounds: { x: 10, y: 20, width: 1200, height: 800 }, maximized: false });
    assert.deepEqual(fs.readdirSync(dir), [STATE_FILE]);
    assert.deepEqual(readWindowState(path.join(dir, 'nope')), { bounds: null, maximized: false });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
