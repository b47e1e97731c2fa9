import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTileUrl, tileUrl } from '../../../src/main/electron/wsi-url.ts';

test('tile URLs round-trip', () => {
  for (const [s, l, c, r] of [[1, 0, 0, 0], [42, 14, 123, 4567], [999_999_999, 99, 9_999_999, 9_999_999]] as const) {
    const url = tileUrl(s, l, c, r);
    assert.match(url, /^wsi:\/\/slide\/\d+\/\d+\/\d+_\d+\.jpeg$/);
    assert.deepEqual(parseTileUrl(url), { slideId: s, level: l, col: c, row: r });
  }
});

test('tileUrl refuses impossible addresses', () => {
  const bad: [number, number, number, number][] = [[0, 0, 0, 0], [-1, 0, 0, 0], [1.5, 0, 0, 0], [1, 100, 0, 0], [1, 0, -1, 0], [1, 0, 0, Number.NaN]];
  for (const [s, l, c, r] of bad) {
    assert.throws(() => tileUrl(s, l, c, r), RangeError);
  }
});

test('parseTileUrl rejects anything but the exact tile form', () => {
  for (const u of [
    'wsi://slide/1/2/3_4.png', 'wsi://other/1/2/3_4.jpeg', 'app://slide/1/2/3_4.jpeg', 'wsi://slide/1/2/3_4.jpeg?x=1',
    'wsi://slide/0/2/3_4.jpeg', 'wsi://slide/1/2/../3_4.jpeg', 'wsi://slide/1/100/3_4.jpeg', 'wsi://slide/1/2/3-4.jpeg',
    'wsi://slide/1234567890/2/3_4.jpeg', 'wsi://u:p@slide/1/2/3_4.jpeg', 'garbage',
  ]) assert.equal(parseTileUrl(u), null, u);
});
