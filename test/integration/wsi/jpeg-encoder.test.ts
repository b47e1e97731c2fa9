/**
 * Deep-zoom JPEG encoders (src/main/wsi/jpeg-encoder.ts) on real pixels: a region of CMU-1-Small-Region.svs read
 * through OpenSlide, plus hand-made premultiplied pixels for the transparent-edge rule. Both encoders must give a
 * JPEG of the right size whose decoded pixels match the composited source within JPEG error, and the same image
 * as each other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadJpegEncoder, turboJpegCandidates, type JpegEncoder } from '../../../src/main/wsi/jpeg-encoder.ts';
import { OpenSlideLibrary } from '../../../src/main/wsi/openslide-ffi.ts';
import { argbToRgb } from '../../../src/main/wsi/pixels.ts';
import { SlideReader } from '../../../src/main/wsi/slide-reader.ts';
import { sharedFile } from '../../helpers/shared-data.ts';

const SVS = sharedFile('wsi', 'CMU-1-Small-Region.svs');
const W = 256, H = 192;

function realRegion(): Uint32Array {
  const slide = OpenSlideLibrary.load().open(SVS);
  assert.ok(slide);
  try {
    const dest = new Uint32Array(W * H);
    // Synchronous read is fine in a test; the product reads on koffi's threads.
    return slide.readRegionArgbSync(700, 900, 0, W, H, dest);
  } finally {
    slide.close();
  }
}

async function decode(jpeg: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const r = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return { data: r.data, width: r.info.width, height: r.info.height, channels: r.info.channels };
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s / a.length;
}

function encoders(): JpegEncoder[] {
  const out = [loadJpegEncoder({ prefer: 'sharp' })];
  const turbo = loadJpegEncoder({ prefer: 'auto' });
  if (turbo.name === 'turbojpeg') out.push(turbo);
  return out;
}

test('on this Linux machine (CI installs libturbojpeg0) TurboJPEG is found and preferred; sharp can be forced', (t) => {
  const present = fs.existsSync('/usr/lib/x86_64-linux-gnu/libturbojpeg.so.0') || fs.existsSync('/usr/lib/aarch64-linux-gnu/libturbojpeg.so.0');
  if (process.platform !== 'linux' || !present) {
    t.skip('libturbojpeg.so.0 is not installed here (apt-get install libturbojpeg0); the sharp fallback is tested below');
    return;
  }
  assert.equal(loadJpegEncoder({ prefer: 'auto' }).name, 'turbojpeg');
  assert.equal(loadJpegEncoder({ prefer: 'sharp' }).name, 'sharp');
  assert.equal(loadJpegEncoder({ prefer: 'turbojpeg' }).name, 'turbojpeg');
});

test('candidates: explicit path first, then the bundled folder when it holds the library, then system names', () => {
  const res = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-tj-'));
  try {
    fs.mkdirSync(path.join(res, 'openslide'));
    fs.writeFileSync(path.join(res, 'openslide', 'turbojpeg.dll'), '');
    assert.deepEqual(turboJpegCandidates({ explicitPath: '/x/libturbojpeg.so.0', resourcesPath: res, platform: 'win32' }), ['/x/libturbojpeg.so.0', path.join(res, 'openslide', 'turbojpeg.dll'), 'turbojpeg.dll']);
    assert.deepEqual(turboJpegCandidates({ explicitPath: '', resourcesPath: res, platform: 'linux' }), ['libturbojpeg.so.0']);
  } finally {
    fs.rmSync(res, { recursive: true, force: true });
  }
});

test('an explicit TurboJPEG path that does not load is a clear error, not a silent fallback', () => {
  assert.throws(() => loadJpegEncoder({ explicitPath: '/nonexistent/libturbojpeg.so.0', prefer: 'auto' }), (e: Error & { code?: string }) => e.code === 'UNSUPPORTED' && /GLIOFUSE_TURBOJPEG_LIB/.test(e.message));
});

test('each encoder turns a real slide region into a JPEG that decodes to the source pixels (within JPEG error)', async () => {
  const argb = realRegion();
  const rgb = argbToRgb(argb);
  const decoded: Buffer[] = [];
  for (const enc of encoders()) {
    const jpeg = await enc.encodeArgb(argb.slice(), W, H, 80, [255, 255, 255]);
    assert.equal(jpeg[0], 0xff, `${enc.name}: JPEG SOI marker`);
    assert.equal(jpeg[1], 0xd8);
    const d = await decode(jpeg);
    assert.deepEqual([d.width, d.height, d.channels], [W, H, 3], enc.name);
    const err = meanAbsDiff(d.data, rgb);
    assert.ok(err < 6, `${enc.name}: mean |Δ| ${err.toFixed(2)} against the source`);
    decoded.push(d.data);
  }
  if (decoded.length === 2) {
    const between = meanAbsDiff(decoded[0] as Buffer, decoded[1] as Buffer);
    assert.ok(between < 2, `sharp and TurboJPEG images differ by mean |Δ| ${between.toFixed(2)}`);
  }
});

test('transparent and partly transparent pixels are composited onto the slide background before encoding', async () => {
  // Left half fully transparent, right half 50 % alpha premultiplied mid-grey: on a red background the left must
  // come out red, the right half-way between red and grey (plus the premultiplied colour), never black.
  const w = 64, h = 32;
  const argb = new Uint32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) argb[y * w + x] = x < w / 2 ? 0 : ((128 << 24) | (64 << 16) | (64 << 8) | 64) >>> 0;
  for (const enc of encoders()) {
    const d = await decode(await enc.encodeArgb(argb.slice(), w, h, 95, [200, 0, 0]));
    const at = (x: number, y: number) => [...d.data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3)];
    const [lr, lg, lb] = at(8, 16) as [number, number, number];
    assert.ok(lr > 185 && lg < 20 && lb < 20, `${enc.name}: transparent → background, got ${[lr, lg, lb]}`);
    const [rr, rg, rb] = at(56, 16) as [number, number, number];
    // 64 + 200 × 127/255 ≈ 164 for red, 64 for green and blue.
    assert.ok(Math.abs(rr - 164) < 12 && Math.abs(rg - 64) < 12 && Math.abs(rb - 64) < 12, `${enc.name}: half alpha, got ${[rr, rg, rb]}`);
  }
});

test('the slide worker handlers serve deep-zoom JPEGs with either encoder (forced by the environment variable)', async () => {
  const previous = process.env.GLIOFUSE_JPEG_ENCODER;
  try {
    const sizes: number[] = [];
    for (const prefer of ['sharp', 'auto']) {
      process.env.GLIOFUSE_JPEG_ENCODER = prefer;
      const reader = new SlideReader();
      try {
        const { jpeg } = await reader.handlers().dzTile({ path: SVS, x: 254, y: 508, level: 0, width: 256, height: 256, outWidth: 256, outHeight: 256, quality: 80, background: [255, 255, 255] });
        const d = await decode(Buffer.from(jpeg));
        assert.deepEqual([d.width, d.height], [256, 256]);
        sizes.push(jpeg.length);
        // Between pyramid levels the tile is scaled (sharp) whatever the encoder.
        const small = await reader.handlers().dzTile({ path: SVS, x: 0, y: 0, level: 0, width: 512, height: 512, outWidth: 256, outHeight: 256, quality: 80, background: [255, 255, 255] });
        assert.deepEqual([(await decode(Buffer.from(small.jpeg))).width, (await decode(Buffer.from(small.jpeg))).height], [256, 256]);
      } finally {
        reader.closeAll();
      }
    }
    assert.ok(sizes.every((s) => s > 1000), `JPEG sizes ${sizes.join(', ')}`);
  } finally {
    if (previous === undefined) delete process.env.GLIOFUSE_JPEG_ENCODER;
    else process.env.GLIOFUSE_JPEG_ENCODER = previous;
  }
});
