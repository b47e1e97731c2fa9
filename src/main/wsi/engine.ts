/**
 * The host side of the slide engine: a pool of crash-isolated slide workers plus the small caches that make the
 * viewer fast (slide info, deep-zoom layout, encoded tiles). Used by the slide service (app, bridge), the CLI and
 * the analysis pipeline; never touches OpenSlide itself.
 */
import path from 'node:path';
import { GliofuseError } from '../../shared/errors.ts';
import { WorkerPool } from '../workers/worker-pool.ts';
import { forkFactory, workerEntry, type WorkerFactory } from '../workers/transport.ts';
import type { WorkerStats } from '../workers/protocol.ts';
import type { SlideWorkerApi, TissueWire } from './slide-api.ts';
import type { SlideInfo } from './slide-meta.ts';
import { deepZoomLayout, deepZoomTile, type DeepZoomLayout } from './deepzoom.ts';
import { LruCache } from './lru.ts';
import type { TissueParamsInput } from '../../shared/contract/slides.ts';

export interface SlideEngineOptions {
  /** Worker processes (default 2: two cores' worth of reads in parallel, one crash affects half the work). */
  workers?: number;
  /** How workers are started; default forks slide-worker next to this module. */
  factory?: WorkerFactory;
  /** Explicit OpenSlide library (passed to the workers as GLIOFUSE_OPENSLIDE_LIB). */
  libraryPath?: string | undefined;
  /** A packaged app's resources folder; its openslide/ subfolder is searched before the system libraries. */
  resourcesPath?: string | undefined;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /** Encoded deep-zoom tiles kept in memory (bytes). */
  tileCacheBytes?: number;
  /** JPEG quality of deep-zoom tiles (75–90 is the useful range). */
  jpegQuality?: number;
  /** Enables the crash-simulation request (tests). */
  debug?: boolean;
}

export const DZ_TILE_SIZE = 254;
export const DZ_OVERLAP = 1;
/** Deep-zoom tiles per side of a block that prefers one worker (see dzTile). */
const DZ_BLOCK = 8;

/** Stable small integer from a path, so one slide's requests prefer one worker (its handle is open there). */
function affinityOf(p: string): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) h = (h * 31 + p.charCodeAt(i)) | 0;
  return Math.abs(h);
}

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

export class SlideEngine {
  readonly pool: WorkerPool<SlideWorkerApi>;
  readonly jpegQuality: number;
  private readonly infoCache = new LruCache<string, SlideInfo>(64, () => 1);
  private readonly layoutCache = new LruCache<string, DeepZoomLayout>(64, () => 1);
  private readonly tileCache: LruCache<string, Buffer>;
  private readonly inflightTiles = new Map<string, Promise<Buffer>>();

  constructor(opts: SlideEngineOptions = {}) {
    const factory = opts.factory ?? forkFactory(workerEntry(import.meta.url, 'slide-worker'));
    this.jpegQuality = Math.min(95, Math.max(50, opts.jpegQuality ?? 80));
    this.pool = new WorkerPool<SlideWorkerApi>(opts.workers ?? 2, {
      name: 'slide worker',
      factory,
      env: {
        ...(opts.libraryPath ? { GLIOFUSE_OPENSLIDE_LIB: opts.libraryPath } : {}),
        ...(opts.resourcesPath ? { GLIOFUSE_RESOURCES_PATH: opts.resourcesPath } : {}),
      },
      timeoutMs: opts.timeoutMs ?? 120_000,
      debug: opts.debug ?? false,
    });
    this.tileCache = new LruCache<string, Buffer>(opts.tileCacheBytes ?? 64 * 1024 * 1024, (b) => b.length);
  }

  private static check(p: string): string {
    if (typeof p !== 'string' || !p) throw new GliofuseError('BAD_INPUT', 'A slide path is required.');
    return path.resolve(p);
  }

  /** Slide metadata (cached per path; call forget() when a file may have changed). */
  async info(p: string): Promise<SlideInfo> {
    const file = SlideEngine.check(p);
    const hit = this.infoCache.get(file);
    if (hit) return hit;
    const info = await this.pool.call('info', { path: file }, { affinity: affinityOf(file) });
    this.infoCache.set(file, info);
    return info;
  }

  /** Forgets cached state for a path and closes its handles in the workers. */
  async forget(p: string): Promise<void> {
    const file = SlideEngine.check(p);
    this.infoCache.delete(file);
    this.layoutCache.delete(file);
    this.tileCache.deleteWhere((k) => k.startsWith(`${file}\u0000`));
    await this.pool.broadcast('close', { path: file });
  }

  async deepZoom(p: string): Promise<DeepZoomLayout> {
    const file = SlideEngine.check(p);
    const hit = this.layoutCache.get(file);
    if (hit) return hit;
    const info = await this.info(file);
    const layout = deepZoomLayout(info, { tileSize: DZ_TILE_SIZE, overlap: DZ_OVERLAP, limitBounds: false });
    this.layoutCache.set(file, layout);
    return layout;
  }

  /**
   * One deep-zoom JPEG tile. Cached (LRU by bytes); concurrent requests for the same tile share one read.
   * Tiles are spread over the workers (least busy first).
   */
  async dzTile(p: string, dzLevel: number, col: number, row: number): Promise<Buffer> {
    const file = SlideEngine.check(p);
    const key = `${file}\u0000${dzLevel}/${col}_${row}`;
    const cached = this.tileCache.get(key);
    if (cached) return cached;
    const pending = this.inflightTiles.get(key);
    if (pending) return pending;
    const job = (async () => {
      const [layout, info] = await Promise.all([this.deepZoom(file), this.info(file)]);
      const t = deepZoomTile(layout, dzLevel, col, row);
      // Blocks of DZ_BLOCK × DZ_BLOCK neighbouring tiles go to one worker when it is not far busier: neighbours
      // overlap the same source tiles, and OpenSlide's decoded-tile cache is per process, so alternating workers
      // would decode most source tiles twice (measured: 2 workers slower than 1).
      const block = Math.floor(col / DZ_BLOCK) * 7919 + Math.floor(row / DZ_BLOCK) * 104729 + dzLevel;
      const r = await this.pool.call('dzTile', {
        path: file, x: t.x, y: t.y, level: t.slideLevel, width: t.readWidth, height: t.readHeight,
        outWidth: t.width, outHeight: t.height, quality: this.jpegQuality, background: info.background,
      }, { affinity: affinityOf(file) + block, slack: 1 });
      const buf = asBuffer(r.jpeg);
      this.tileCache.set(key, buf);
      return buf;
    })();
    this.inflightTiles.set(key, job);
    try {
      return await job;
    } finally {
      this.inflightTiles.delete(key);
    }
  }

  async readRegion(p: string, x: number, y: number, level: number, width: number, height: number, mode: 'rgb' | 'rgba' = 'rgb'): Promise<{ width: number; height: number; channels: 3 | 4; data: Buffer }> {
    const file = SlideEngine.check(p);
    const r = await this.pool.call('readRegion', { path: file, x, y, level, width, height, mode }, { affinity: affinityOf(file) });
    return { ...r, data: asBuffer(r.data) };
  }

  /** A batch of equal-sized reads, resized to out size; on the least busy worker (or `worker` when given). */
  async readTiles(p: string, req: { level: number; readWidth: number; readHeight: number; outWidth: number; outHeight: number; coords: number[] }, worker?: number): Promise<Buffer[]> {
    const file = SlideEngine.check(p);
    const params = { path: file, ...req };
    const r = worker === undefined ? await this.pool.call('readTiles', params) : await this.pool.callOn(worker, 'readTiles', params);
    return r.tiles.map(asBuffer);
  }

  async thumbnail(p: string, maxSize: number, format: 'jpeg' | 'png' | 'raw' = 'jpeg') {
    const file = SlideEngine.check(p);
    const r = await this.pool.call('thumbnail', { path: file, maxSize, format }, { affinity: affinityOf(file) });
    return { ...r, data: asBuffer(r.data) };
  }

  async tissue(p: string, params?: TissueParamsInput, mpp?: { mppX: number | null; mppY: number | null }): Promise<TissueWire> {
    const file = SlideEngine.check(p);
    return this.pool.call('tissue', { path: file, ...(params ? { params } : {}), ...(mpp ?? {}) }, { affinity: affinityOf(file) });
  }

  async associated(p: string, name: string): Promise<{ width: number; height: number; png: Buffer }> {
    const file = SlideEngine.check(p);
    const r = await this.pool.call('associated', { path: file, name }, { affinity: affinityOf(file) });
    return { ...r, png: asBuffer(r.png) };
  }

  /** sha256 streamed inside a worker (the calling process's event loop stays free). */
  async sha256(p: string): Promise<{ sha256: string; bytes: number }> {
    const file = SlideEngine.check(p);
    return this.pool.call('hash', { path: file }, { timeoutMs: 30 * 60_000 });
  }

  stats(): Promise<WorkerStats[]> {
    return this.pool.stats();
  }

  /** Crash simulation (only when constructed with debug: true). */
  debugCrash(worker = 0): Promise<void> {
    const h = this.pool.hosts[worker % this.pool.size];
    if (!h) return Promise.reject(new GliofuseError('INTERNAL', 'no such worker'));
    return h.debugCrash();
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
