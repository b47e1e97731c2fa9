/**
 * Gliofuse's own OpenSlide binding (koffi FFI over the C API; there is no maintained npm binding). Works with
 * OpenSlide 3.4 (Debian 12) and 4.x (openslide-bin), using only functions present in both.
 *
 * Pixel reads go through koffi's async calls, which run the C function on a koffi worker thread, so a slow
 * read never blocks the JavaScript thread of the process that owns the handle. In Gliofuse that process is the
 * slide worker (src/main/wsi/slide-worker.ts), never the UI's main process; the worker makes tile-sized reads
 * with the synchronous form (readRegionArgbSync), which is cheaper there (slide-reader.ts, tileArgb).
 */
import fs from 'node:fs';
import path from 'node:path';
import koffi, { type LibraryHandle } from 'koffi';
import { GliofuseError } from '../../shared/errors.ts';
import { argbToRgb, argbToRgba } from './pixels.ts';

/** Names tried after an explicit path and the bundled folder, in this order. */
export const SYSTEM_LIBRARY_NAMES: readonly string[] = [
  'libopenslide.so.1', 'libopenslide.so.0',
  'libopenslide.1.dylib', 'libopenslide.0.dylib',
  'libopenslide-1.dll', 'libopenslide-0.dll',
];
/** macOS does not search package-manager prefixes by default. */
const MAC_PREFIXES = ['/opt/homebrew/lib', '/usr/local/lib', '/opt/local/lib'];

export const LIBRARY_ENV = 'GLIOFUSE_OPENSLIDE_LIB';

export interface LibraryCandidate {
  source: 'explicit' | 'bundled' | 'system';
  spec: string;
}

/**
 * The search order: explicit path (option or GLIOFUSE_OPENSLIDE_LIB) → `<resourcesPath>/openslide/` when that
 * folder exists (the packaged app) → the system names above.
 */
export function libraryCandidates(opts: { explicitPath?: string | undefined; resourcesPath?: string | undefined; platform?: NodeJS.Platform } = {}): LibraryCandidate[] {
  const out: LibraryCandidate[] = [];
  const explicit = opts.explicitPath ?? process.env[LIBRARY_ENV];
  if (explicit) out.push({ source: 'explicit', spec: explicit });
  const resources = opts.resourcesPath ?? (process as unknown as { resourcesPath?: string }).resourcesPath;
  if (resources) {
    const dir = path.join(resources, 'openslide');
    if (fs.existsSync(dir)) for (const n of SYSTEM_LIBRARY_NAMES) out.push({ source: 'bundled', spec: path.join(dir, n) });
  }
  for (const n of SYSTEM_LIBRARY_NAMES) out.push({ source: 'system', spec: n });
  if ((opts.platform ?? process.platform) === 'darwin') {
    for (const p of MAC_PREFIXES) for (const n of ['libopenslide.1.dylib', 'libopenslide.0.dylib']) out.push({ source: 'system', spec: path.join(p, n) });
  }
  return out;
}

type Fn = ReturnType<LibraryHandle['func']>;

interface Api {
  detect_vendor: Fn;
  open: Fn;
  close: Fn;
  get_error: Fn;
  get_version: Fn;
  get_property_names: Fn;
  get_property_value: Fn;
  get_level_count: Fn;
  get_level_dimensions: Fn;
  get_level_downsample: Fn;
  get_best_level_for_downsample: Fn;
  read_region: Fn;
  get_associated_image_names: Fn;
  get_associated_image_dimensions: Fn;
  read_associated_image: Fn;
}

let typesDeclared = false;

function bind(lib: LibraryHandle): Api {
  if (!typesDeclared) {
    koffi.opaque('openslide_t');
    typesDeclared = true;
  }
  return {
    detect_vendor: lib.func('const char *openslide_detect_vendor(const char *filename)'),
    open: lib.func('openslide_t *openslide_open(const char *filename)'),
    close: lib.func('void openslide_close(openslide_t *osr)'),
    get_error: lib.func('const char *openslide_get_error(openslide_t *osr)'),
    get_version: lib.func('const char *openslide_get_version()'),
    get_property_names: lib.func('void *openslide_get_property_names(openslide_t *osr)'),
    get_property_value: lib.func('const char *openslide_get_property_value(openslide_t *osr, const char *name)'),
    get_level_count: lib.func('int32_t openslide_get_level_count(openslide_t *osr)'),
    get_level_dimensions: lib.func('void openslide_get_level_dimensions(openslide_t *osr, int32_t level, _Out_ int64_t *w, _Out_ int64_t *h)'),
    get_level_downsample: lib.func('double openslide_get_level_downsample(openslide_t *osr, int32_t level)'),
    get_best_level_for_downsample: lib.func('int32_t openslide_get_best_level_for_downsample(openslide_t *osr, double downsample)'),
    read_region: lib.func('void openslide_read_region(openslide_t *osr, uint32_t *dest, int64_t x, int64_t y, int32_t level, int64_t w, int64_t h)'),
    get_associated_image_names: lib.func('void *openslide_get_associated_image_names(openslide_t *osr)'),
    get_associated_image_dimensions: lib.func('void openslide_get_associated_image_dimensions(openslide_t *osr, const char *name, _Out_ int64_t *w, _Out_ int64_t *h)'),
    read_associated_image: lib.func('void openslide_read_associated_image(openslide_t *osr, const char *name, uint32_t *dest)'),
  };
}

/** Decodes a NULL-terminated `const char * const *` array. */
function stringList(ptr: unknown): string[] {
  const out: string[] = [];
  if (!ptr) return out;
  const step = koffi.sizeof('void *');
  for (let i = 0; i < 100_000; i++) {
    const s = koffi.decode(ptr, i * step, 'const char *') as string | null;
    if (s === null || s === undefined) break;
    out.push(s);
  }
  return out;
}

/** Largest single read we accept (w*h pixels); beyond this a caller must read in chunks. */
export const MAX_READ_PIXELS = 64 * 1024 * 1024;

export class OpenSlideLibrary {
  private constructor(
    private readonly api: Api,
    /** Where the library was loaded from (a file path or a system library name). */
    readonly source: LibraryCandidate,
    readonly version: string,
  ) {}

  private static cache = new Map<string, OpenSlideLibrary>();

  /** Loads the first candidate that works; UNSUPPORTED with the list tried when none does. */
  static load(opts: { explicitPath?: string | undefined; resourcesPath?: string | undefined } = {}): OpenSlideLibrary {
    const candidates = libraryCandidates(opts);
    const tried: string[] = [];
    for (const c of candidates) {
      const hit = OpenSlideLibrary.cache.get(c.spec);
      if (hit) return hit;
      if (c.source !== 'system' && !fs.existsSync(c.spec)) {
        if (c.source === 'explicit') {
          throw new GliofuseError('UNSUPPORTED', `The OpenSlide library set in ${LIBRARY_ENV} or the settings does not exist: ${c.spec}. Fix the path or remove the setting.`);
        }
        continue;
      }
      try {
        const lib = koffi.load(c.spec);
        const api = bind(lib);
        const version = String(api.get_version() ?? 'unknown');
        const loaded = new OpenSlideLibrary(api, c, version);
        OpenSlideLibrary.cache.set(c.spec, loaded);
        return loaded;
      } catch (err) {
        if (c.source === 'explicit') {
          throw new GliofuseError('UNSUPPORTED', `The OpenSlide library at ${c.spec} could not be loaded (${(err as Error).message.split('\n')[0]}).`);
        }
        tried.push(c.spec);
      }
    }
    throw new GliofuseError('UNSUPPORTED', `OpenSlide is not installed (tried ${tried.length} library names). Install it (Debian/Ubuntu: apt-get install libopenslide0) or set ${LIBRARY_ENV} to the library file.`);
  }

  /** Major version number (3 or 4); 0 when the version string is unusual. */
  get major(): number {
    const m = /^(\d+)\./.exec(this.version);
    return m ? Number(m[1]) : 0;
  }

  detectVendor(file: string): string | null {
    return (this.api.detect_vendor(file) as string | null) ?? null;
  }

  /**
   * Opens a slide. Returns null when OpenSlide does not recognise the file; throws BAD_INPUT with OpenSlide's
   * own error string when it recognises it but cannot read it.
   */
  open(file: string): OpenSlide | null {
    const h = this.api.open(file) as unknown;
    if (!h) return null;
    const err = this.api.get_error(h) as string | null;
    if (err) {
      this.api.close(h);
      throw new GliofuseError('BAD_INPUT', `OpenSlide could not read ${path.basename(file)}: ${err}.`);
    }
    return new OpenSlide(this.api, h, file);
  }
}

export interface LevelInfo {
  width: number;
  height: number;
  downsample: number;
}

export class OpenSlide {
  private handle: unknown;
  private readonly levelCache: LevelInfo[];

  constructor(
    private readonly api: Api,
    handle: unknown,
    readonly file: string,
  ) {
    this.handle = handle;
    const n = Number(api.get_level_count(handle));
    this.levelCache = [];
    for (let i = 0; i < n; i++) {
      const w = [0];
      const h = [0];
      api.get_level_dimensions(handle, i, w, h);
      this.levelCache.push({ width: Number(w[0]), height: Number(h[0]), downsample: Number(api.get_level_downsample(handle, i)) });
    }
  }

  get closed(): boolean {
    return this.handle === null;
  }

  private h(): unknown {
    if (this.handle === null) throw new GliofuseError('INTERNAL', 'slide handle used after close');
    return this.handle;
  }

  /** OpenSlide's sticky error string (once set, every further read returns transparent pixels). */
  error(): string | null {
    return (this.api.get_error(this.h()) as string | null) ?? null;
  }

  private assertNoError(what: string): void {
    const e = this.error();
    if (e) throw new GliofuseError('BAD_INPUT', `OpenSlide failed while ${what} in ${path.basename(this.file)}: ${e}. The file may be damaged or truncated.`);
  }

  propertyNames(): string[] {
    return stringList(this.api.get_property_names(this.h()));
  }

  property(name: string): string | null {
    return (this.api.get_property_value(this.h(), name) as string | null) ?? null;
  }

  properties(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const n of this.propertyNames()) {
      const v = this.property(n);
      if (v !== null) out[n] = v;
    }
    return out;
  }

  get levelCount(): number {
    return this.levelCache.length;
  }
  get levels(): readonly LevelInfo[] {
    return this.levelCache;
  }
  level(i: number): LevelInfo {
    const l = this.levelCache[i];
    if (!l) throw new GliofuseError('BAD_INPUT', `Level ${i} does not exist (the slide has ${this.levelCache.length}).`);
    return l;
  }
  get dimensions(): { width: number; height: number } {
    const l0 = this.level(0);
    return { width: l0.width, height: l0.height };
  }

  bestLevelForDownsample(downsample: number): number {
    return Number(this.api.get_best_level_for_downsample(this.h(), downsample));
  }

  quickhash(): string | null {
    return this.property('openslide.quickhash-1');
  }

  private checkRegion(level: number, w: number, h: number): void {
    this.level(level);
    if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0) throw new GliofuseError('BAD_INPUT', `Region size must be positive whole pixels (got ${w}×${h}).`);
    if (w * h > MAX_READ_PIXELS) throw new GliofuseError('BAD_INPUT', `Region ${w}×${h} is too large for one read; read it in parts.`);
  }

  /**
   * Reads premultiplied ARGB (OpenSlide's native format: one uint32 per pixel, native byte order) on a koffi
   * worker thread. `x`, `y` are level-0 coordinates; w, h are in pixels of `level`.
   */
  readRegionArgb(x: number, y: number, level: number, w: number, h: number): Promise<Uint32Array> {
    this.checkRegion(level, w, h);
    const dest = new Uint32Array(w * h);
    const handle = this.h();
    return new Promise((resolve, reject) => {
      this.api.read_region.async(handle, dest, Math.floor(x), Math.floor(y), level, w, h, (err: unknown) => {
        if (err) { reject(err); return; }
        try {
          if (!this.closed) this.assertNoError('reading a region');
          resolve(dest);
        } catch (e) { reject(e); }
      });
    });
  }

  /**
   * The same read on the calling thread, into `dest` when given (reused buffers). Only for processes whose JS
   * thread may block (tests, batch tools); the slide worker uses the async form.
   */
  readRegionArgbSync(x: number, y: number, level: number, w: number, h: number, dest: Uint32Array = new Uint32Array(w * h)): Uint32Array {
    this.checkRegion(level, w, h);
    if (dest.length < w * h) throw new GliofuseError('BAD_INPUT', `The destination holds ${dest.length} pixels; ${w}×${h} needs ${w * h}.`);
    this.api.read_region(this.h(), dest, Math.floor(x), Math.floor(y), level, w, h);
    this.assertNoError('reading a region');
    return dest;
  }

  /** RGB, 3 bytes per pixel, transparent areas composited onto `background` (white by default). */
  async readRegionRgb(x: number, y: number, level: number, w: number, h: number, background: readonly [number, number, number] = [255, 255, 255]): Promise<Buffer> {
    return argbToRgb(await this.readRegionArgb(x, y, level, w, h), background);
  }

  /** Un-premultiplied RGBA, 4 bytes per pixel. */
  async readRegionRgba(x: number, y: number, level: number, w: number, h: number): Promise<Buffer> {
    return argbToRgba(await this.readRegionArgb(x, y, level, w, h));
  }

  associatedImageNames(): string[] {
    return stringList(this.api.get_associated_image_names(this.h()));
  }

  associatedImageDimensions(name: string): { width: number; height: number } | null {
    if (!this.associatedImageNames().includes(name)) return null;
    const w = [0];
    const h = [0];
    this.api.get_associated_image_dimensions(this.h(), name, w, h);
    const width = Number(w[0]);
    const height = Number(h[0]);
    return width > 0 && height > 0 ? { width, height } : null;
  }

  /** Reads an associated image (label, macro, thumbnail) as premultiplied ARGB, on a koffi worker thread. */
  readAssociatedArgb(name: string): Promise<{ width: number; height: number; argb: Uint32Array }> {
    const dims = this.associatedImageDimensions(name);
    if (!dims) return Promise.reject(new GliofuseError('NOT_FOUND', `The slide has no associated image "${name}".`));
    if (dims.width * dims.height > MAX_READ_PIXELS) return Promise.reject(new GliofuseError('BAD_INPUT', `Associated image "${name}" is too large to read.`));
    const dest = new Uint32Array(dims.width * dims.height);
    const handle = this.h();
    return new Promise((resolve, reject) => {
      this.api.read_associated_image.async(handle, name, dest, (err: unknown) => {
        if (err) { reject(err); return; }
        try {
          this.assertNoError(`reading the associated image "${name}"`);
          resolve({ ...dims, argb: dest });
        } catch (e) { reject(e); }
      });
    });
  }

  close(): void {
    if (this.handle === null) return;
    this.api.close(this.handle);
    this.handle = null;
  }
}
