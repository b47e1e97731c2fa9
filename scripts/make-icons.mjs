#!/usr/bin/env node
/**
 * Regenerates the raster icons in build/ from build/icon.svg (run after editing the SVG; the outputs are committed
 * so packaging needs no image tools):
 *   build/icons/<n>x<n>.png   Linux (AppImage/deb hicolor sizes)
 *   build/icon.png            1024 px (electron-builder's fallback)
 *   build/icon.ico            Windows, 16–256 px in one file (ImageMagick)
 *   build/icon.icns           macOS, PNG-compressed entries ic07–ic14 (written here; the format is a simple TOC)
 * Needs ImageMagick (`convert`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = path.join(ROOT, 'build');
const SVG = path.join(BUILD, 'icon.svg');
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS element types holding PNG data, by pixel size (the @2x types reuse the same pixels). */
export const ICNS_TYPES = [
  ['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024],
  ['ic11', 32], ['ic12', 64], ['ic13', 256], ['ic14', 512],
];

function convert(args) {
  const r = spawnSync('convert', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`ImageMagick convert not found (${r.error.message}); install imagemagick`);
  if (r.status !== 0) throw new Error(`convert ${args.join(' ')} failed: ${r.stderr.trim()}`);
}

function renderPng(size, out) {
  // Render well above the target size, then downsample: small icons stay crisp. No date chunks, so re-running
  // on an unchanged SVG reproduces the same files with the same ImageMagick.
  const density = Math.max(72, Math.round((size / 1024) * 96 * 4));
  convert(['-background', 'none', '-density', String(density), SVG, '-resize', `${size}x${size}`, '-strip', '-define', 'png:exclude-chunks=date,time', `PNG32:${out}`]);
}

/** ICNS: 'icns' + total length, then per entry: 4-char type + entry length (incl. 8-byte header) + PNG bytes. */
export function writeIcns(entries, out) {
  const parts = entries.map(([type, png]) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  fs.writeFileSync(out, Buffer.concat([head, body]));
}

export function makeIcons() {
  const iconsDir = path.join(BUILD, 'icons');
  fs.mkdirSync(iconsDir, { recursive: true });
  const pngs = new Map();
  for (const n of LINUX_SIZES) {
    const f = path.join(iconsDir, `${n}x${n}.png`);
    renderPng(n, f);
    pngs.set(n, f);
  }
  fs.copyFileSync(pngs.get(1024), path.join(BUILD, 'icon.png'));
  convert([...ICO_SIZES.map((n) => pngs.get(n)), path.join(BUILD, 'icon.ico')]);
  writeIcns(ICNS_TYPES.map(([type, n]) => [type, fs.readFileSync(pngs.get(n))]), path.join(BUILD, 'icon.icns'));
  return { linux: LINUX_SIZES.length, ico: ICO_SIZES.length, icns: ICNS_TYPES.length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const r = makeIcons();
    process.stdout.write(`make-icons: ${r.linux} PNG sizes, icon.ico (${r.ico} sizes), icon.icns (${r.icns} entries)\n`);
  } catch (err) {
    process.stderr.write(`make-icons: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
