/**
 * Everything the slide worker does, as plain async functions over an LRU of open OpenSlide handles. The worker
 * entry (slide-worker.ts) serves these over the worker protocol; nothing here runs in the UI's main process.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import sharp from 'sharp';
import { GliofuseError } from '../../shared/errors.ts';
import { mapFileError } from '../store/storage-errors.ts';
import type { WorkerHandlers } from '../workers/worker-runtime.ts';
import { OpenSlide, OpenSlideLibrary } from './openslide-ffi.ts';
import { loadJpegEncoder, type JpegEncoder } from './jpeg-encoder.ts';
import { argbToRgb, argbToRgba, parseBackground } from './pixels.ts';
import { deriveBounds, deriveMpp, deriveObjectivePower, type SlideInfo } from './slide-meta.ts';
import type { SlideWorkerApi, TissueWire } from './slide-api.ts';
import { detectTissue, normalizeTissueParams } from './tissue.ts';
import { bestLevelForDownsample } from './deepzoom.ts';

export const SUPPORTED_FORMATS = 'Aperio SVS, Hamamatsu NDPI/VMS, MIRAX, Leica SCN, Philips TIFF, Ventana BIF, Sakura SVSLIDE, generic tiled TIFF (OpenSlide 4 adds DICOM and Zeiss CZI)';

interface Entry {
  slide: OpenSlide;
  info: SlideInfo;
  refs: number;
  /** Evicted or broken: close when the last user releases it. */
  retired: boolean;
}

function statOrThrow(file: string): fs.Stats {
  try {
    return fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new GliofuseError('BAD_INPUT', `No file at ${file}.`);
    if (code === 'EACCES' || code === 'EPERM') throw new GliofuseError('BAD_INPUT', `Gliofuse is not allowed to read ${file} (permission denied).`);
    throw new GliofuseError('BAD_INPUT', `Cannot read ${file} (${code ?? 'error'}).`);
  }
}

/** Reads `len` bytes at `pos` (fewer at end of file); empty when unreadable. */
function peek(file: string, pos: number, len: number): Buffer {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const b = Buffer.alloc(len);
      const n = fs.readSync(fd, b, 0, len, pos);
      return b.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return Buffer.alloc(0);
  }
}

const looksLikeDicom = (file: string) => peek(file, 128, 4).toString('latin1') === 'DICM';

/** Classic or BigTIFF magic, either byte order. */
function looksLikeTiff(file: string): boolean {
  const b = peek(file, 0, 4);
  if (b.length < 4) return false;
  const le = b[0] === 0x49 && b[1] === 0x49 && (b[2] === 42 || b[2] === 43) && b[3] === 0;
  const be = b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && (b[3] === 42 || b[3] === 43);
  return le || be;
}

export interface SlideReaderOptions {
  maxOpen?: number;
  libraryPath?: string | undefined;
  /** Packaged app resources (searched for openslide/ before system libraries); Electron's utilityProcess also has process.resourcesPath. */
  resourcesPath?: string | undefined;
}

/** Largest read the tile paths (readTiles, dzTile) make synchronously: 2048 × 2048 px. */
const MAX_TILE_PIXELS = 2048 * 2048;

export class SlideReader {
  private readonly cache = new Map<string, Entry>();
  private readonly maxOpen: number;
  private lib: OpenSlideLibrary | null = null;
  private jpeg: JpegEncoder | null = null;
  private scratch = new Uint32Array(0);

  constructor(private readonly opts: SlideReaderOptions = {}) {
    this.maxOpen = Math.max(1, opts.maxOpen ?? 6);
  }

  /**
   * A tile-sized read (model tile or deep-zoom tile, at most MAX_TILE_PIXELS) on this thread, into a scratch
   * buffer that the caller must consume before its next await. The slide worker is a process of its own, so a
   * few milliseconds of blocking cost nothing, while koffi's async form hands every read to another thread and
   * back — measured as idle worker time between tiles (docs/wsi.md, "Benchmark"). A hung read still ends in the
   * host's request timeout, which kills this process. Larger reads return null: the caller reads them async
   * (`tileArgb(...) ?? await readRegionArgb(...)`, so no await separates a scratch read from its use).
   */
  private tileArgb(e: Entry, x: number, y: number, level: number, w: number, h: number): Uint32Array | null {
    if (w * h > MAX_TILE_PIXELS) return null;
    if (this.scratch.length < w * h) this.scratch = new Uint32Array(w * h);
    return e.slide.readRegionArgbSync(x, y, level, w, h, this.scratch.subarray(0, w * h));
  }

  /** TurboJPEG when present, sharp otherwise (jpeg-encoder.ts); loaded on first use. */
  jpegEncoder(): JpegEncoder {
    this.jpeg ??= loadJpegEncoder({ resourcesPath: this.opts.resourcesPath });
    return this.jpeg;
  }

  library(): OpenSlideLibrary {
    this.lib ??= OpenSlideLibrary.load({ explicitPath: this.opts.libraryPath, resourcesPath: this.opts.resourcesPath });
    return this.lib;
  }

  /** Validates the path and opens the slide with a clear, typed error for each way it can fail. */
  private openEntry(file: string): Entry {
    if (!path.isAbsolute(file)) throw new GliofuseError('BAD_INPUT', `Slide paths must be absolute (got "${file.slice(0, 200)}").`);
    const st = statOrThrow(file);
    if (st.isDirectory()) throw new GliofuseError('BAD_INPUT', `${file} is a folder; choose the slide file itself.`);
    if (!st.isFile()) throw new GliofuseError('BAD_INPUT', `${file} is not a regular file.`);
    if (st.size === 0) throw new GliofuseError('BAD_INPUT', `${path.basename(file)} is empty.`);
    // An unreadable file would otherwise look like "not a whole-slide image" (its header reads as empty).
    try {
      fs.closeSync(fs.openSync(file, 'r'));
    } catch (err) {
      throw mapFileError(err, file, 'read the slide');
    }
    const lib = this.library();
    const name = path.basename(file);
    const vendor = lib.detectVendor(file);
    if (vendor === null) {
      if (looksLikeDicom(file)) {
        if (lib.major < 4) throw new GliofuseError('UNSUPPORTED', `${name} is a DICOM whole-slide image; reading DICOM needs OpenSlide 4.0 or newer (this installation has OpenSlide ${lib.version}).`);
        throw new GliofuseError('BAD_INPUT', `${name} is a DICOM file but not a whole-slide image OpenSlide can read.`);
      }
      if (looksLikeTiff(file)) {
        throw new GliofuseError('BAD_INPUT', `${name} is a TIFF file OpenSlide cannot read as a whole-slide image: it may be truncated or damaged, or an ordinary (untiled, single-resolution) TIFF.`);
      }
      throw new GliofuseError('BAD_INPUT', `${name} is not a whole-slide image OpenSlide can read (supported: ${SUPPORTED_FORMATS}).`);
    }
    const slide = lib.open(file);
    if (!slide) throw new GliofuseError('BAD_INPUT', `${name} looks like a ${vendor} slide but OpenSlide could not open it; the file may be damaged or incomplete.`);
    try {
      const info = this.describe(slide, file, st, vendor, lib.version);
      return { slide, info, refs: 0, retired: false };
    } catch (err) {
      slide.close();
      throw err;
    }
  }

  private describe(slide: OpenSlide, file: string, st: fs.Stats, vendor: string, version: string): SlideInfo {
    const { width, height } = slide.dimensions;
    if (width <= 0 || height <= 0) throw new GliofuseError('BAD_INPUT', `${path.basename(file)} has no image data OpenSlide can read.`);
    const properties = slide.properties();
    const mpp = deriveMpp(properties);
    const associatedImages = slide.associatedImageNames()
      .map((n) => ({ name: n, dims: slide.associatedImageDimensions(n) }))
      .filter((a): a is { name: string; dims: { width: number; height: number } } => a.dims !== null)
      .map((a) => ({ name: a.name, width: a.dims.width, height: a.dims.height }));
    return {
      path: file,
      fileName: path.basename(file),
      sizeBytes: st.size,
      mtimeMs: st.mtimeMs,
      vendor: properties['openslide.vendor'] ?? vendor,
      width,
      height,
      levels: slide.levels.map((l) => ({ ...l })),
      mppX: mpp.mppX,
      mppY: mpp.mppY,
      mppSource: mpp.source,
      objectivePower: deriveObjectivePower(properties),
      associatedImages,
      quickhash: slide.quickhash(),
      bounds: deriveBounds(properties, width, height),
      background: [...parseBackground(properties['openslide.background-color'])] as [number, number, number],
      properties,
      openslideVersion: version,
    };
  }

  /** Borrows an open handle (opening it if needed); always pair with release(). */
  acquire(file: string): Entry {
    let e = this.cache.get(file);
    if (e) {
      // Re-open when the file changed on disk since it was opened.
      const st = statOrThrow(file);
      if (st.size !== e.info.sizeBytes || st.mtimeMs !== e.info.mtimeMs) {
        this.retire(file, e);
        e = undefined;
      } else {
        this.cache.delete(file);
        this.cache.set(file, e); // most recently used last
      }
    }
    if (!e) {
      e = this.openEntry(file);
      this.cache.set(file, e);
      this.evict();
    }
    e.refs++;
    return e;
  }

  release(e: Entry): void {
    e.refs--;
    if (e.retired && e.refs <= 0) e.slide.close();
  }

  private retire(file: string, e: Entry): void {
    if (this.cache.get(file) === e) this.cache.delete(file);
    e.retired = true;
    if (e.refs <= 0) e.slide.close();
  }

  private evict(): void {
    while (this.cache.size > this.maxOpen) {
      const [oldest, e] = this.cache.entries().next().value as [string, Entry];
      this.retire(oldest, e);
    }
  }

  /** Runs fn with a borrowed handle; a read error (damaged file) retires the handle so the next call reopens. */
  async with<T>(file: string, fn: (e: Entry) => Promise<T>): Promise<T> {
    const e = this.acquire(file);
    try {
      return await fn(e);
    } catch (err) {
      if (err instanceof GliofuseError && err.code === 'BAD_INPUT' && e.slide.closed === false && e.slide.error()) this.retire(file, e);
      throw err;
    } finally {
      this.release(e);
    }
  }

  close(file: string): boolean {
    const e = this.cache.get(file);
    if (!e) return false;
    this.retire(file, e);
    return true;
  }

  closeAll(): void {
    for (const [f, e] of [...this.cache]) this.retire(f, e);
  }

  /** Scales the whole slide into at most maxSize px on the longest side, reading the best level in chunks. */
  async renderDownsampled(e: Entry, maxSize: number): Promise<{ rgb: Buffer; width: number; height: number; level: number; downsampleX: number; downsampleY: number }> {
    const { width: W, height: H } = e.info;
    const scale = Math.max(1, Math.max(W, H) / maxSize);
    const outW = Math.max(1, Math.round(W / scale));
    const outH = Math.max(1, Math.round(H / scale));
    const dsx = W / outW;
    const dsy = H / outH;
    const level = bestLevelForDownsample(e.info.levels, Math.min(dsx, dsy));
    const L = e.info.levels[level] as { width: number; height: number; downsample: number };
    const sx = L.width / outW; // level px per output px
    const sy = L.height / outH;
    const out = Buffer.alloc(outW * outH * 3, 255);
    const B = 512; // output block: bounds each read to about (B·s)² level pixels
    for (let oy0 = 0; oy0 < outH; oy0 += B) {
      const oy1 = Math.min(outH, oy0 + B);
      const ly0 = Math.floor(oy0 * sy);
      const ly1 = Math.min(L.height, Math.max(ly0 + 1, Math.ceil(oy1 * sy)));
      for (let ox0 = 0; ox0 < outW; ox0 += B) {
        const ox1 = Math.min(outW, ox0 + B);
        const lx0 = Math.floor(ox0 * sx);
        const lx1 = Math.min(L.width, Math.max(lx0 + 1, Math.ceil(ox1 * sx)));
        const rw = lx1 - lx0, rh = ly1 - ly0;
        const rgb = argbToRgb(await e.slide.readRegionArgb(Math.floor(lx0 * L.downsample), Math.floor(ly0 * L.downsample), level, rw, rh), e.info.background);
        const bw = ox1 - ox0, bh = oy1 - oy0;
        const block = rw === bw && rh === bh ? rgb : await sharp(rgb, { raw: { width: rw, height: rh, channels: 3 } }).resize(bw, bh, { fit: 'fill' }).raw().toBuffer();
        for (let y = 0; y < bh; y++) block.copy(out, ((oy0 + y) * outW + ox0) * 3, y * bw * 3, (y + 1) * bw * 3);
      }
    }
    return { rgb: out, width: outW, height: outH, level, downsampleX: dsx, downsampleY: dsy };
  }

  handlers(): WorkerHandlers<SlideWorkerApi> {
    return {
      info: async ({ path: p }) => this.with(p, async (e) => e.info),

      readRegion: async ({ path: p, x, y, level, width, height, mode }) => this.with(p, async (e) => {
        const argb = await e.slide.readRegionArgb(x, y, level, width, height);
        return mode === 'rgba'
          ? { width, height, channels: 4 as const, data: argbToRgba(argb) }
          : { width, height, channels: 3 as const, data: argbToRgb(argb, e.info.background) };
      }),

      readTiles: async ({ path: p, level, readWidth, readHeight, outWidth, outHeight, coords }) => this.with(p, async (e) => {
        if (coords.length % 2 !== 0) throw new GliofuseError('BAD_INPUT', 'readTiles: coords must be x,y pairs.');
        // One read at a time, in grid order: neighbouring tiles share the slide's JPEG tiles, and OpenSlide's cache
        // only helps when the second read starts after the first decoded them (parallel reads of neighbours decode
        // the same source tiles twice). Parallelism comes from several requests in flight across workers.
        const tiles: Uint8Array[] = [];
        for (let i = 0; i < coords.length; i += 2) {
          const cx = coords[i] as number, cy = coords[i + 1] as number;
          const rgb = argbToRgb(this.tileArgb(e, cx, cy, level, readWidth, readHeight) ?? await e.slide.readRegionArgb(cx, cy, level, readWidth, readHeight), e.info.background);
          tiles.push(readWidth === outWidth && readHeight === outHeight ? rgb
            : await sharp(rgb, { raw: { width: readWidth, height: readHeight, channels: 3 } }).resize(outWidth, outHeight, { fit: 'fill' }).raw().toBuffer());
        }
        return { tiles };
      }),

      dzTile: async ({ path: p, x, y, level, width, height, outWidth, outHeight, quality, background }) => this.with(p, async (e) => {
        const argb = this.tileArgb(e, x, y, level, width, height) ?? await e.slide.readRegionArgb(x, y, level, width, height);
        // Both encoders consume the pixels before their first await, so the scratch buffer is free again on return.
        if (width === outWidth && height === outHeight) return { jpeg: await this.jpegEncoder().encodeArgb(argb, width, height, quality, background) };
        // Between pyramid levels: libvips scales and encodes in one pipeline.
        const img = sharp(argbToRgb(argb, background), { raw: { width, height, channels: 3 } }).resize(outWidth, outHeight, { fit: 'fill' });
        return { jpeg: await img.jpeg({ quality, optimiseCoding: false }).toBuffer() };
      }),

      thumbnail: async ({ path: p, maxSize, format }) => this.with(p, async (e) => {
        const r = await this.renderDownsampled(e, maxSize);
        const raw = { raw: { width: r.width, height: r.height, channels: 3 as const } };
        const data = format === 'raw' ? r.rgb
          : format === 'png' ? await sharp(r.rgb, raw).png().toBuffer()
          : await sharp(r.rgb, raw).jpeg({ quality: 85 }).toBuffer();
        return { width: r.width, height: r.height, level: r.level, downsampleX: r.downsampleX, downsampleY: r.downsampleY, data };
      }),

      tissue: async ({ path: p, params, mppX, mppY }) => this.with(p, async (e) => {
        const norm = normalizeTissueParams(params);
        const r = await this.renderDownsampled(e, norm.maxDimension);
        const mx = mppX ?? e.info.mppX;
        const my = mppY ?? e.info.mppY ?? mx;
        const det = detectTissue(r.rgb, { width: r.width, height: r.height, downsampleX: r.downsampleX, downsampleY: r.downsampleY, mppX: mx, mppY: my }, norm);
        const grey = Buffer.allocUnsafe(det.mask.length);
        for (let i = 0; i < grey.length; i++) grey[i] = det.mask[i] ? 255 : 0;
        const maskPng = await sharp(grey, { raw: { width: r.width, height: r.height, channels: 1 } }).png({ compressionLevel: 6 }).toBuffer();
        const wire: TissueWire = {
          params: det.params, width: det.width, height: det.height, downsampleX: det.downsampleX, downsampleY: det.downsampleY,
          sourceLevel: r.level, threshold: det.threshold, thresholdChoice: det.thresholdChoice, tissuePixels: det.tissuePixels, tissueFraction: det.tissueFraction,
          tissueAreaMm2: det.tissueAreaMm2, objects: det.objects, holes: det.holes, stats: det.stats, mask: det.mask, maskPng,
        };
        return wire;
      }),

      associated: async ({ path: p, name }) => this.with(p, async (e) => {
        const img = await e.slide.readAssociatedArgb(name);
        const png = await sharp(argbToRgb(img.argb), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
        return { width: img.width, height: img.height, png };
      }),

      hash: async ({ path: p }) => {
        const st = statOrThrow(p);
        if (!st.isFile()) throw new GliofuseError('BAD_INPUT', `${p} is not a regular file.`);
        const h = crypto.createHash('sha256');
        let bytes = 0;
        for await (const chunk of fs.createReadStream(p, { highWaterMark: 1 << 20 })) {
          h.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
        }
        return { sha256: h.digest('hex'), bytes };
      },

      close: async ({ path: p }) => ({ closed: this.close(p) }),
    };
  }
}
