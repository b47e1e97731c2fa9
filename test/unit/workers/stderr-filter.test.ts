import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { filterWorkerStderr, isLibraryNoise } from '../../../src/main/workers/stderr-filter.ts';

test('libtiff and GLib lines are noise; crash reports and other diagnostics are not', () => {
  for (const l of [
    'TIFFReadDirectory: Warning, Unknown field with tag 65000 (0xfde8) encountered.',
    'TIFFFetchStripThing: Warning, Incorrect count for "TileOffsets"; tag ignored.',
    '_TIFFVSetField: /x/a.tif: Bad value 0 for "Compression" tag.',
    'OJPEGSubsamplingCorrect: Subsampling values inside JPEG compressed data have no TIFF equivalent',
    '/tmp/x.tif: Warning, Nonstandard tile width 13, convert file.',
    '(process:1234): GLib-WARNING **: 10:00:00.000: something',
  ]) assert.equal(isLibraryNoise(l), true, l);
  for (const l of ['FATAL ERROR: Reached heap limit', '    at Object.<anonymous> (/app/worker.js:1:1)', 'Error: boom', '']) assert.equal(isLibraryNoise(l), false, l);
});

test('the filter forwards other lines whole, across chunk boundaries, and keeps everything when asked', async () => {
  const run = async (env: NodeJS.ProcessEnv) => {
    const src = new PassThrough();
    let out = '';
    filterWorkerStderr(src, { write: (s: string) => { out += s; } }, env);
    src.write('TIFFReadDirectory: Warning, Unk');
    src.write('nown field.\nreal problem ');
    src.end('here\nTIFFFillTile: Read error on strip 3');
    await new Promise((r) => setImmediate(r));
    return out;
  };
  assert.equal(await run({}), 'real problem here\n');
  assert.equal(await run({ GLIOFUSE_WORKER_STDERR: 'all' }), 'TIFFReadDirectory: Warning, Unknown field.\nreal problem here\nTIFFFillTile: Read error on strip 3');
});
