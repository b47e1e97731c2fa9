/**
 * The tile encoder on real data: deriving the features graph from the real upstream ONNX Model Zoo file, the
 * set-up download (from a local HTTP server, sha256 checked), encoder resolution, the encoder thread with EP
 * fallback, and the read → preprocess → encode stages on a real slide (order preserved, batch-independent).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as ort from 'onnxruntime-node';
import { sharedFile } from '../../helpers/shared-data.ts';
import { tempDir } from '../../helpers/temp-services.ts';
import { addDequantizedOutput } from '../../../src/main/analysis/onnx-surgery.ts';
import { KNOWN_ENCODERS, fetchEncoder, resolveEncoder, acceptsEncoderHash } from '../../../src/main/analysis/encoder-store.ts';
import { EncoderThread } from '../../../src/main/analysis/encoder-thread.ts';
import { TileEncoderSession, type EncoderSpec } from '../../../src/main/analysis/tile-encoder.ts';
import { TilePreprocessor } from '../../../src/main/analysis/preprocess.ts';
import { extractFeatures } from '../../../src/main/analysis/feature-extraction.ts';
import { openSlide } from '../../../src/main/analysis/tile-source.ts';
import { SlideReader } from '../../../src/main/wsi/slide-reader.ts';
import { computeTileGrid } from '../../../src/main/wsi/tiler.ts';
import { ENCODER_FILE, ENCODER_SHA256, REAL_TILE_ENCODER } from './fixtures/analysis-package.ts';

const UPSTREAM = sharedFile('models', 'mobilenetv2-12-int8.onnx');
const ID = 'mobilenetv2-12-int8-features';
const known = KNOWN_ENCODERS[ID];
const SPEC: EncoderSpec = { id: ID, path: ENCODER_FILE, sha256: ENCODER_SHA256, inputName: 'input', outputName: 'features', inputSize: 224, featureDim: 1280 };
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

function serve(body: Buffer): Promise<{ url: string; close(): Promise<void>; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((_req, res) => { hits++; res.writeHead(200, { 'content-length': body.length }); res.end(body); });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mobilenetv2-12-int8.onnx`,
    close: () => new Promise((r) => server.close(() => r())),
    hits: () => hits,
  })));
}

describe('tile encoder', () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  test('the upstream file + one DequantizeLinear gives the pinned file and the same features as ../shared DERIVED', async () => {
    assert.ok(known);
    const up = fs.readFileSync(UPSTREAM);
    assert.equal(sha(up), known.upstreamSha256);
    const derived = addDequantizedOutput(up, known.derive);
    assert.ok(known.equivalentSha256.includes(sha(derived)), `derived sha ${sha(derived)}`);
    assert.throws(() => addDequantizedOutput(up, { ...known.derive, tensor: 'no_such_tensor' }), /no tensor "no_such_tensor"/);
    assert.throws(() => addDequantizedOutput(derived, known.derive), /already has a tensor named "features"/);
    const a = await ort.InferenceSession.create(derived);
    const b = await ort.InferenceSession.create(ENCODER_FILE);
    const x = new Float32Array(2 * 3 * 224 * 224).map((_, i) => Math.sin(i / 7));
    const fa = (await a.run({ input: new ort.Tensor('float32', x, [2, 3, 224, 224]) })).features?.data as Float32Array;
    const fb = (await b.run({ input: new ort.Tensor('float32', x, [2, 3, 224, 224]) })).features?.data as Float32Array;
    assert.equal(fa.length, 2 * 1280);
    assert.deepEqual(fa, fb);
    await a.release();
    await b.release();
  });

  test('set-up download: sha256 of the upstream file checked, derived file installed once, a wrong file refused', async () => {
    const data = tempDir('gliofuse-enc-');
    dirs.push(data);
    const good = await serve(fs.readFileSync(UPSTREAM));
    try {
      const r = await fetchEncoder(ID, { dataDir: data, url: good.url });
      assert.equal(r.downloaded, true);
      assert.equal(r.upstreamSha256, known?.upstreamSha256);
      assert.equal(r.path, path.join(data, 'encoders', `${ID}.onnx`));
      assert.equal(sha(fs.readFileSync(r.path)), r.sha256);
      const again = await fetchEncoder(ID, { dataDir: data, url: good.url });
      assert.equal(again.downloaded, false);
      assert.equal(good.hits(), 1);
      const resolved = await resolveEncoder(REAL_TILE_ENCODER, { dataDir: data, explicitPath: undefined });
      assert.deepEqual([resolved.source, resolved.sha256], ['data-folder', r.sha256]);
    } finally {
      await good.close();
    }
    const data2 = tempDir('gliofuse-enc-');
    dirs.push(data2);
    const tampered = Buffer.from(fs.readFileSync(UPSTREAM));
    tampered[tampered.length - 10] = (tampered[tampered.length - 10] ?? 0) ^ 0xff;
    const bad = await serve(tampered);
    try {
      await assert.rejects(fetchEncoder(ID, { dataDir: data2, url: bad.url }), (e: Error & { code?: string }) => e.code === 'INTEGRITY' && /was not installed/.test(e.message));
      assert.deepEqual(fs.readdirSync(path.join(data2, 'encoders')), [], 'nothing installed, no temporary file left');
    } finally {
      await bad.close();
    }
    await assert.rejects(fetchEncoder(ID, { dataDir: data2, url: 'http://127.0.0.1:9/nothing' }), /Could not download/);
  });

  test('resolution: equivalent builds accepted, other files refused, absence explained', async () => {
    assert.equal(acceptsEncoderHash(REAL_TILE_ENCODER, ENCODER_SHA256), true);
    assert.equal(acceptsEncoderHash(REAL_TILE_ENCODER, known?.equivalentSha256[1] ?? ''), true);
    assert.equal(acceptsEncoderHash({ id: 'other', sha256: ENCODER_SHA256 }, known?.equivalentSha256[1] ?? ''), false);
    const data = tempDir('gliofuse-enc-');
    dirs.push(data);
    await assert.rejects(resolveEncoder(REAL_TILE_ENCODER, { dataDir: data, explicitPath: UPSTREAM }), (e: Error & { code?: string }) => e.code === 'INTEGRITY');
    const prev = process.env.GLIOFUSE_ENCODER_PATH;
    delete process.env.GLIOFUSE_ENCODER_PATH;
    try {
      await assert.rejects(resolveEncoder(REAL_TILE_ENCODER, { dataDir: data }), (e: Error & { code?: string }) => e.code === 'NOT_FOUND' && /gliofuse encoder fetch/.test(e.message));
    } finally {
      if (prev !== undefined) process.env.GLIOFUSE_ENCODER_PATH = prev;
    }
    const ok = await resolveEncoder(REAL_TILE_ENCODER, { dataDir: data, explicitPath: ENCODER_FILE });
    assert.equal(ok.source, 'explicit');
  });

  test('read → preprocess → encode on a real slide: every tissue tile, in order, independent of batching', async () => {
    const reader = new SlideReader();
    const slide = await openSlide(reader, sharedFile('wsi', 'CMU-1-Small-Region.svs'));
    const tissue = await slide.tissue();
    const grid = computeTileGrid(slide.info, tissue, { mpp: 0.5, size: 224 });
    const coords = grid.tiles.map((t) => [t.x, t.y] as [number, number]);
    assert.ok(coords.length > 20, `${coords.length} tissue tiles`);
    const pre = new TilePreprocessor(REAL_TILE_ENCODER.normalisation, 224);
    const thread = await EncoderThread.start(SPEC, { threads: 1 });
    try {
      assert.equal(thread.info.provider, 'cpu');
      const rows: Float32Array[] = [];
      const order: [number, number][] = [];
      let progress = 0;
      const stats = await extractFeatures({
        reader: slide, coords, level: grid.level, readWidth: grid.readWidth, readHeight: grid.readHeight, preprocessor: pre, encoder: thread,
        batchSize: 7, readAhead: 5, buffers: 3,
        sink: (f, c) => { for (let i = 0; i < c.length; i++) { rows.push(f.slice(i * 1280, (i + 1) * 1280)); order.push([c[i]?.[0] ?? -1, c[i]?.[1] ?? -1]); } },
        onProgress: (d) => { assert.ok(d > progress); progress = d; },
        checkCancelled: () => undefined,
      });
      assert.equal(stats.tiles, coords.length);
      assert.equal(stats.batches, Math.ceil(coords.length / 7));
      assert.deepEqual(order, coords, 'features come out in tile order');
      // Tile 9 encoded alone (batch of one, session on this thread) gives the same features as inside its batch.
      const direct = await TileEncoderSession.open(SPEC, { threads: 1 });
      const one = new Float32Array(pre.sliceFloats);
      const c9 = coords[9] as [number, number];
      pre.intoBatch(slide.toRgb(await slide.readArgb(c9[0], c9[1], grid.level, grid.readWidth, grid.readHeight)), grid.readWidth, grid.readHeight, one, 0);
      const f9 = await direct.encode(one, 1);
      await direct.close();
      let maxDiff = 0;
      f9.forEach((v, i) => { maxDiff = Math.max(maxDiff, Math.abs(v - (rows[9]?.[i] ?? NaN))); });
      assert.ok(maxDiff < 1e-5, `max |Δ| ${maxDiff}`);
      assert.ok(rows.every((r) => r.every(Number.isFinite)));
      // Cancellation stops the stage with CANCELLED and leaves no request behind.
      let n = 0;
      await assert.rejects(extractFeatures({
        reader: slide, coords, level: grid.level, readWidth: grid.readWidth, readHeight: grid.readHeight, preprocessor: pre, encoder: thread,
        batchSize: 4, readAhead: 4, buffers: 2, sink: () => undefined, onProgress: () => undefined,
        checkCancelled: () => { if (++n > 10) throw Object.assign(new Error('cancelled'), { code: 'CANCELLED' }); },
      }), /cancelled/);
      assert.equal(thread.inFlight, 0);
    } finally {
      await thread.close();
      slide.close();
      reader.closeAll();
    }
  });

  test('a requested GPU provider that cannot start falls back to CPU and says so', async () => {
    const thread = await EncoderThread.start(SPEC, { threads: 1, requested: 'cuda' });
    try {
      assert.equal(thread.info.provider, 'cpu');
      assert.equal(thread.info.fellBack, true);
      assert.deepEqual(thread.info.attempts.map((a) => [a.provider, a.ok]), [['cuda', false], ['cpu', true]]);
      assert.ok(thread.info.notices.some((n) => /CUDA could not start/.test(n)));
    } finally {
      await thread.close();
    }
    const forced = await EncoderThread.start(SPEC, { threads: 1, forceCpu: true, requested: 'cuda' });
    assert.deepEqual([forced.info.provider, forced.info.fellBack, forced.info.attempts.length], ['cpu', false, 1]);
    await forced.close();
  });
});
