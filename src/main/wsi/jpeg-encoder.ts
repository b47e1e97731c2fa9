/**
 * JPEG encoding of deep-zoom tiles: libjpeg-turbo's TurboJPEG API over koffi when the library is present, sharp
 * (libvips) otherwise. Both give baseline JPEG with 4:2:0 chroma at the same quality setting.
 *
 * Why not sharp alone: for a 256 × 256 tile libvips spends about 1 ms per call setting up its pipeline around a
 * ~0.4 ms encode (measured here: 1.7 ms vs PIL's 0.57 ms per tile), and it needs RGB, so every tile also paid an
 * ARGB → RGB pass in JavaScript. TurboJPEG reads OpenSlide's native pixels directly (little-endian ARGB words are
 * B,G,R,A bytes = TJPF_BGRX) and encodes in one call. The viewer's tile rate is dominated by this path
 * (docs/wsi.md, "Benchmark").
 *
 * Search order for the library: GLIOFUSE_TURBOJPEG_LIB (explicit) → `<resources>/openslide/` (bundled next to
 * OpenSlide in the packaged app) → system names. GLIOFUSE_JPEG_ENCODER=sharp forces the fallback.
 */
import fs from 'node:fs';
import path from 'node:path';
import koffi, { type LibraryHandle } from 'koffi';
import sharp from 'sharp';
import { GliofuseError } from '../../shared/errors.ts';
import { argbToRgb, compositeArgbInPlace, type Rgb } from './pixels.ts';

export const TURBOJPEG_ENV = 'GLIOFUSE_TURBOJPEG_LIB';
export const JPEG_ENCODER_ENV = 'GLIOFUSE_JPEG_ENCODER';

const SYSTEM_NAMES: Record<string, readonly string[]> = {
  linux: ['libturbojpeg.so.0'],
  darwin: ['libturbojpeg.0.dylib', '/opt/homebrew/opt/jpeg-turbo/lib/libturbojpeg.0.dylib', '/usr/local/opt/jpeg-turbo/lib/libturbojpeg.0.dylib'],
  win32: ['turbojpeg.dll'],
};

// TurboJPEG constants (turbojpeg.h, stable since libjpeg-turbo 1.2).
const TJPF_BGRX = 3;
const TJPF_XRGB = 5;
const TJSAMP_420 = 2;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export interface JpegEncoder {
  /** What encodes (recorded in worker stats and the benchmark output). */
  readonly name: 'turbojpeg' | 'sharp';
  readonly source: string;
  /**
   * Encodes OpenSlide's premultiplied ARGB (transparent parts composited onto `background`). May overwrite `argb`,
   * and is done with it before the returned promise is created (callers reuse one scratch buffer).
   */
  encodeArgb(argb: Uint32Array, width: number, height: number, quality: number, background: Rgb): Promise<Buffer>;
}

type Fn = ReturnType<LibraryHandle['func']>;

class TurboJpegEncoder implements JpegEncoder {
  readonly name = 'turbojpeg' as const;
  private handle: unknown = null;
  constructor(
    private readonly fns: { init: Fn; compress: Fn; free: Fn; error: Fn },
    readonly source: string,
  ) {}

  async encodeArgb(argb: Uint32Array, width: number, height: number, quality: number, background: Rgb): Promise<Buffer> {
    compositeArgbInPlace(argb, background);
    this.handle ??= this.fns.init();
    if (!this.handle) throw new GliofuseError('INTERNAL', 'TurboJPEG could not create a compressor.');
    const out: unknown[] = [null];
    const size: number[] = [0];
    const pixels = Buffer.from(argb.buffer, argb.byteOffset, argb.byteLength);
    // Synchronous: about 0.4 ms per 256-px tile in the slide worker, less than a hop to a thread would cost.
    const rc = this.fns.compress(this.handle, pixels, width, width * 4, height, LITTLE_ENDIAN ? TJPF_BGRX : TJPF_XRGB, out, size, TJSAMP_420, quality, 0) as number;
    const ptr = out[0];
    try {
      if (rc !== 0 || !ptr) throw new GliofuseError('INTERNAL', `TurboJPEG could not encode a ${width}×${height} tile: ${String(this.fns.error(this.handle) ?? 'unknown error')}.`);
      return Buffer.from(new Uint8Array(koffi.view(ptr, Number(size[0]))));
    } finally {
      if (ptr) this.fns.free(ptr);
    }
  }
}

class SharpJpegEncoder implements JpegEncoder {
  readonly name = 'sharp' as const;
  constructor(readonly source: string) {}
  async encodeArgb(argb: Uint32Array, width: number, height: number, quality: number, background: Rgb): Promise<Buffer> {
    return sharp(argbToRgb(argb, background), { raw: { width, height, channels: 3 } }).jpeg({ quality, optimiseCoding: false }).toBuffer();
  }
}

export function turboJpegCandidates(opts: { explicitPath?: string | undefined; resourcesPath?: string | undefined; platform?: NodeJS.Platform } = {}): string[] {
  const out: string[] = [];
  const explicit = opts.explicitPath ?? process.env[TURBOJPEG_ENV];
  if (explicit) out.push(explicit);
  const platform = opts.platform ?? process.platform;
  const names = SYSTEM_NAMES[platform] ?? SYSTEM_NAMES.linux ?? [];
  const resources = opts.resourcesPath ?? (process as unknown as { resourcesPath?: string }).resourcesPath;
  if (resources) {
    const dir = path.join(resources, 'openslide');
    for (const n of names) if (!n.includes('/') && fs.existsSync(path.join(dir, n))) out.push(path.join(dir, n));
  }
  out.push(...names);
  return out;
}

/**
 * The best encoder available in this process. An explicit library path that does not load is an error (the
 * user asked for it); otherwise a missing TurboJPEG quietly means sharp.
 */
export function loadJpegEncoder(opts: { explicitPath?: string | undefined; resourcesPath?: string | undefined; prefer?: string | undefined } = {}): JpegEncoder {
  const prefer = opts.prefer ?? process.env[JPEG_ENCODER_ENV];
  if (prefer === 'sharp') return new SharpJpegEncoder(`sharp ${sharp.versions.sharp} (forced by ${JPEG_ENCODER_ENV})`);
  const explicit = opts.explicitPath ?? process.env[TURBOJPEG_ENV];
  for (const spec of turboJpegCandidates(opts)) {
    try {
      const lib = koffi.load(spec);
      const fns = {
        init: lib.func('void *tjInitCompress()'),
        compress: lib.func('int tjCompress2(void *handle, const uint8_t *srcBuf, int width, int pitch, int height, int pixelFormat, _Inout_ void **jpegBuf, _Inout_ unsigned long *jpegSize, int jpegSubsamp, int jpegQual, int flags)'),
        free: lib.func('void tjFree(void *buffer)'),
        error: lib.func('const char *tjGetErrorStr2(void *handle)'),
      };
      return new TurboJpegEncoder(fns, spec);
    } catch (err) {
      if (explicit && spec === explicit) {
        throw new GliofuseError('UNSUPPORTED', `The TurboJPEG library set in ${TURBOJPEG_ENV} could not be loaded (${(err as Error).message.split('\n')[0]}).`);
      }
    }
  }
  if (prefer === 'turbojpeg') throw new GliofuseError('UNSUPPORTED', `TurboJPEG was requested (${JPEG_ENCODER_ENV}=turbojpeg) but no libturbojpeg could be loaded.`);
  return new SharpJpegEncoder(`sharp ${sharp.versions.sharp} (libturbojpeg not found)`);
}
