/**
 * Worker message frames (src/main/workers/frames.ts): byte buffers travel as raw bytes beside a JSON envelope and
 * come back as Buffers at the same places; everything else round-trips as JSON would; frames split across
 * arbitrary chunk boundaries reassemble.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameReader, encodeFrame } from '../../../src/main/workers/frames.ts';

const roundTrip = (message: unknown, chunk = 1 << 30): unknown[] => {
  const bytes = Buffer.concat(encodeFrame(message));
  const reader = new FrameReader();
  const out: unknown[] = [];
  for (let o = 0; o < bytes.length; o += chunk) out.push(...reader.push(bytes.subarray(o, o + chunk)));
  return out;
};

test('buffers nested in objects and arrays come back as equal Buffers; other values as JSON', () => {
  const tile = Buffer.alloc(150_528, 9);
  const u8 = new Uint8Array([1, 2, 3]);
  const when = new Date('2026-11-28T08:00:00Z');
  const msg = { kind: 'response', id: 7, ok: true, result: { tiles: [tile, u8], meta: { n: 2, name: 'x', none: null, skip: undefined }, when, list: [1, 'a', [u8]] } };
  const [back] = roundTrip(msg) as [{ result: { tiles: Buffer[]; meta: Record<string, unknown>; when: string; list: unknown[] } }];
  assert.ok(Buffer.isBuffer(back.result.tiles[0]));
  assert.ok((back.result.tiles[0] as Buffer).equals(tile));
  assert.deepEqual([...(back.result.tiles[1] as Buffer)], [1, 2, 3]);
  assert.deepEqual(back.result.meta, { n: 2, name: 'x', none: null });
  assert.equal(back.result.when, when.toISOString()); // as JSON.stringify gives it
  assert.deepEqual([...((back.result.list[2] as Buffer[])[0] as Buffer)], [1, 2, 3]);
  assert.deepEqual(back.result.list.slice(0, 2), [1, 'a']);
});

test('frames split into tiny chunks, and several frames in one chunk, reassemble in order', () => {
  const a = { id: 1, data: Buffer.from('hello') };
  const b = { id: 2, data: [Buffer.alloc(70_000, 1)] };
  const bytes = Buffer.concat([...encodeFrame(a), ...encodeFrame(b)]);
  for (const chunk of [1, 3, 4096, bytes.length]) {
    const reader = new FrameReader();
    const out: unknown[] = [];
    for (let o = 0; o < bytes.length; o += chunk) out.push(...reader.push(bytes.subarray(o, o + chunk)));
    assert.equal(out.length, 2, `chunk ${chunk}`);
    const [x, y] = out as [{ id: number; data: Buffer }, { id: number; data: Buffer[] }];
    assert.equal(x.id, 1);
    assert.equal(x.data.toString(), 'hello');
    assert.equal(y.id, 2);
    assert.equal((y.data[0] as Buffer).length, 70_000);
  }
});

test('the envelope never contains the bytes (no Buffer#toJSON arrays)', () => {
  const parts = encodeFrame({ tile: Buffer.alloc(1000, 200) });
  const head = parts[0] as Buffer;
  const jsonLen = head.readUInt32LE(4);
  const json = head.toString('utf8', 8, 8 + jsonLen);
  assert.equal(json, '{"tile":{"__gfbin":0}}');
  assert.equal(parts.length, 2);
});
