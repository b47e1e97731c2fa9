/**
 * Patch-feature bags: the on-disk format the training recipe reads (docs/model-package.md, "Patch-feature
 * bags") and the feature cache stores. A bag is a folder with
 *   features.f32  raw little-endian float32, row-major [count, featureDim], no header
 *   coords.json   { featureDim, count, tileEncoder: {id, sha256}, mpp, tileSize, coords: [[x, y], …], … }
 * coords are level-0 pixel positions of each tile's top-left corner, in row order. Gliofuse adds a few keys the
 * recipe ignores (format, tileSizeLevel0, slide, tiling, featuresSha256) so a bag says where it came from and
 * can be checked before reuse.
 *
 * Bags are written to a temporary sibling folder and renamed into place when complete, so a crash or kill -9
 * never leaves a half-written bag under its final name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';
import { GliofuseError, badInput } from '../../shared/errors.ts';

export const BAG_FORMAT = 'gliofuse-feature-bag/1';
export const FEATURES_FILE = 'features.f32';
export const COORDS_FILE = 'coords.json';

export const BagMeta = z.object({
  featureDim: z.number().int().positive(),
  count: z.number().int().min(0),
  tileEncoder: z.object({ id: z.string(), sha256: z.string(), variant: z.literal('float32').optional() }),
  /** µm per pixel of the encoder's input tiles. */
  mpp: z.number().positive(),
  /** Encoder input tile side in pixels (at `mpp`). */
  tileSize: z.number().int().positive(),
  coords: z.array(z.tuple([z.number(), z.number()])),
  // Gliofuse additions (ignored by the recipe):
  format: z.string().optional(),
  /** Tile side in level-0 pixels (the heatmap grid spacing). */
  tileSizeLevel0: z.number().positive().optional(),
  slide: z.object({ hashKind: z.string(), hash: z.string(), fileName: z.string(), width: z.number(), height: z.number() }).nullable().optional(),
  tiling: z.record(z.string(), z.unknown()).optional(),
  featuresSha256: z.string().optional(),
});
export type BagMeta = z.infer<typeof BagMeta>;

export interface Bag {
  meta: BagMeta;
  features: Float32Array;
}

if (os.endianness() !== 'LE') {
  // Every platform Node and Electron ship for is little-endian; refuse rather than write a misread file.
  throw new Error('Gliofuse feature bags are little-endian float32; this platform is big-endian.');
}

/** Streams feature rows to features.f32 in a temporary folder, then publishes the bag atomically. */
export class BagWriter {
  private fd: number | null;
  private rows = 0;
  private readonly hash = crypto.createHash('sha256');
  readonly coords: [number, number][] = [];

  private constructor(readonly tmpDir: string, readonly finalDir: string, readonly featureDim: number) {
    this.fd = fs.openSync(path.join(tmpDir, FEATURES_FILE), 'w');
  }

  static create(finalDir: string, featureDim: number): BagWriter {
    const parent = path.dirname(finalDir);
    fs.mkdirSync(parent, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(finalDir)}.partial-`));
    return new BagWriter(tmp, finalDir, featureDim);
  }

  get count(): number {
    return this.rows;
  }

  /** Appends n rows ([n, D] features) with their tile coordinates. */
  append(features: Float32Array, coords: readonly (readonly [number, number])[]): void {
    if (this.fd === null) throw new GliofuseError('INTERNAL', 'feature bag already finished');
    const n = coords.length;
    if (features.length !== n * this.featureDim) throw new GliofuseError('INTERNAL', `feature rows (${features.length} values) do not match ${n} coordinates × ${this.featureDim}`);
    const bytes = new Uint8Array(features.buffer, features.byteOffset, features.byteLength);
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(this.fd, bytes, off, bytes.length - off);
    this.hash.update(bytes);
    for (const c of coords) this.coords.push([c[0], c[1]]);
    this.rows += n;
  }

  /** Writes coords.json and renames the folder to its final name (replacing an older bag there). */
  finish(meta: Omit<BagMeta, 'count' | 'coords' | 'featureDim' | 'featuresSha256' | 'format'>): BagMeta {
    if (this.fd === null) throw new GliofuseError('INTERNAL', 'feature bag already finished');
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = null;
    const full: BagMeta = {
      featureDim: this.featureDim,
      count: this.rows,
      ...meta,
      coords: this.coords,
      format: BAG_FORMAT,
      featuresSha256: this.hash.digest('hex'),
    };
    fs.writeFileSync(path.join(this.tmpDir, COORDS_FILE), `${JSON.stringify(full)}\n`);
    fs.rmSync(this.finalDir, { recursive: true, force: true });
    fs.renameSync(this.tmpDir, this.finalDir);
    return full;
  }

  /** Removes the temporary folder (cancelled or failed extraction). */
  abort(): void {
    if (this.fd !== null) {
      try { fs.closeSync(this.fd); } catch { /* already closed */ }
      this.fd = null;
    }
    fs.rmSync(this.tmpDir, { recursive: true, force: true });
  }
}

/** Reads and checks a bag folder (sizes always; the features hash when `verifyHash`). */
export function readBag(dir: string, opts: { expectedDim?: number; verifyHash?: boolean } = {}): Bag {
  let metaJson: unknown;
  try {
    metaJson = JSON.parse(fs.readFileSync(path.join(dir, COORDS_FILE), 'utf8'));
  } catch {
    throw badInput(`${dir} is not a feature bag (no readable ${COORDS_FILE}).`);
  }
  const parsed = BagMeta.safeParse(metaJson);
  if (!parsed.success) throw badInput(`${path.join(dir, COORDS_FILE)} is not a valid feature-bag description (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
  const meta = parsed.data;
  const file = path.join(dir, FEATURES_FILE);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    throw badInput(`${dir} has no ${FEATURES_FILE}.`);
  }
  if (buf.length !== meta.count * meta.featureDim * 4) {
    throw new GliofuseError('INTEGRITY', `${file} has ${buf.length} bytes; count × featureDim × 4 = ${meta.count * meta.featureDim * 4}.`);
  }
  if (meta.coords.length !== meta.count) throw new GliofuseError('INTEGRITY', `${COORDS_FILE} lists ${meta.coords.length} coordinates for ${meta.count} rows.`);
  if (opts.expectedDim !== undefined && meta.featureDim !== opts.expectedDim) {
    throw badInput(`the bag's features are ${meta.featureDim}-dimensional; ${opts.expectedDim} are needed.`);
  }
  if (opts.verifyHash && meta.featuresSha256) {
    const h = crypto.createHash('sha256').update(buf).digest('hex');
    if (h !== meta.featuresSha256) throw new GliofuseError('INTEGRITY', `${file} does not match the sha256 recorded in ${COORDS_FILE}.`);
  }
  // Copy into an aligned buffer (Buffer pools may start at an odd offset).
  const features = new Float32Array(meta.count * meta.featureDim);
  new Uint8Array(features.buffer).set(buf);
  return { meta, features };
}
