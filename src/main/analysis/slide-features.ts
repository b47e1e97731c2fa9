/**
 * Slide → feature bag, inside the analysis worker: cache lookup, else tissue detection → tile grid →
 * read/preprocess/encode (feature-extraction.ts) → bag written to the cache (and/or to `out`). Shared by the
 * analysis run and `gliofuse features`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { GliofuseError } from '../../shared/errors.ts';
import type { QualityFlag } from '../../shared/contract/slides.ts';
import { normalizeTissueParams } from '../wsi/tissue.ts';
import type { SlideReader } from '../wsi/slide-reader.ts';
import { BagWriter, readBag, type Bag, type BagMeta } from './feature-bag.ts';
import { FeatureCache, featureCacheKey } from './feature-cache.ts';
import { extractFeatures, type ExtractStats } from './feature-extraction.ts';
import { workerSessions } from './worker-sessions.ts';
import { TilePreprocessor } from './preprocess.ts';
import type { ProgressTracker } from './progress.ts';
import { openSlide } from './tile-source.ts';
import { computeTileGrid } from '../wsi/tiler.ts';
import { SHA256_MAX_BYTES } from '../wsi/service.ts';
import { planEncoderProviders, type EncoderInfo, type EncoderSpec } from './tile-encoder.ts';
import { ensureFloatEncoder, type EncoderVariant } from './encoder-variants.ts';
import type { FeatureRequest, SlideFeaturesInfo } from './worker-api.ts';
import type { TileGrid as TileGridGeometry } from './explanations.ts';

export interface SlideFeatures {
  info: SlideFeaturesInfo;
  bag: Bag;
  /** Level-0 grid of the tiles (heatmap geometry). */
  grid: TileGridGeometry;
  slideHash: { hashKind: 'quickhash1' | 'sha256'; hash: string };
}

/** Tiling facts stored in the bag (coords.json "tiling") so a cache hit can rebuild the heatmap grid. */
interface StoredTiling {
  originX: number;
  originY: number;
  cols: number;
  rows: number;
  tileL0: number;
  tileHeightL0: number;
  level: number;
  readWidth: number;
  readHeight: number;
  slideMpp: number;
  mppSource: string;
  minTissue: number;
  tissueParams: Record<string, unknown>;
  tissueFraction: number;
  tissueThreshold: number;
  qualityFlags: QualityFlag[];
  gridWarnings: string[];
}

/**
 * Throughput settings sized to the machine (docs/pipeline.md, "Overlap"). Two encoder sessions (one on a single
 * core) take batches in turn, each with cores/2 intra-op threads: on 2 cores that is two single-threaded
 * sessions, which share the cores with reading and preprocessing without ever leaving one idle (a single
 * two-thread session stalls at its barriers whenever the reader takes one of its cores). Buffers: one being
 * filled plus two per session queued or running. GLIOFUSE_ENCODER_SESSIONS / GLIOFUSE_ENCODER_THREADS override.
 */
export function defaultPerf(cores = os.availableParallelism()) {
  const sessions = Number(process.env.GLIOFUSE_ENCODER_SESSIONS) || (cores >= 2 ? 2 : 1);
  return {
    batchSize: 16,
    encoderSessions: sessions,
    encoderThreads: Number(process.env.GLIOFUSE_ENCODER_THREADS) || Math.max(1, Math.floor(cores / sessions)),
    // Enough reads ahead that the consumer rarely waits, few enough that decoders do not crowd the encoders.
    readAhead: 8,
    buffers: 1 + 2 * sessions,
  };
}

async function sha256OfFile(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

function copyBag(fromDir: string, toDir: string): void {
  fs.rmSync(toDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(toDir), { recursive: true });
  fs.cpSync(fromDir, toDir, { recursive: true });
}

export async function computeSlideFeatures(req: FeatureRequest, reader: SlideReader, tracker: ProgressTracker, checkCancelled: () => void): Promise<SlideFeatures> {
  const te = req.tileEncoder;
  const slide = await openSlide(reader, req.slide.path);
  try {
    const info = slide.info;
    let hashKind = req.slide.hashKind;
    let hash = req.slide.hash;
    if (!hashKind || !hash) {
      // The slide service's rule (wsi/service.ts attach), so `features` and an analysis of the attached slide
      // share cache entries: sha256 of the file, or quickhash-1 for files over SHA256_MAX_BYTES.
      if (info.sizeBytes > SHA256_MAX_BYTES && info.quickhash) { hashKind = 'quickhash1'; hash = info.quickhash; }
      else { hashKind = 'sha256'; hash = await sha256OfFile(req.slide.path); }
    }
    // The grid follows the encoder: its input size at its target µm/px. Callers may set the tissue threshold
    // and the slide's µm/px override only.
    const tiling = { mpp: te.mppTarget, size: te.inputSize, minTissue: req.tiling?.minTissue ?? 0.5, ...(req.tiling?.slideMpp !== undefined ? { slideMpp: req.tiling.slideMpp } : {}) };
    const tissueParams = normalizeTissueParams(req.tissue);
    // The encoder file follows the provider plan: a GPU provider runs the float variant (encoder-variants.ts), and
    // its features are cached under their own key (the key names the variant and the file's sha256).
    const plan = planEncoderProviders({ forceCpu: req.providers.forceCpu, requested: req.providers.requested });
    const variantNotices: string[] = [];
    let float: { path: string; sha256: string } | null = null;
    if (plan.gpuExpected && req.encoder.variantDir) {
      try {
        const got = await ensureFloatEncoder(te.id, req.encoder, req.encoder.variantDir);
        float = got.file;
        variantNotices.push(got.note);
      } catch (e) {
        variantNotices.push(`The float tile encoder could not be prepared (${e instanceof Error ? e.message : String(e)}); the GPU runs the int8 file.`);
      }
    }
    const keyFor = (variant: EncoderVariant) => featureCacheKey({
      slide: { hashKind, hash }, tiling, tissue: tissueParams,
      encoder: variant === 'int8' ? { id: te.id, sha256: req.encoder.sha256 } : { id: te.id, sha256: (float as { sha256: string }).sha256, variant },
    });
    let key = keyFor(float ? 'float32' : 'int8');
    const cache = req.cacheRoot ? new FeatureCache(req.cacheRoot) : null;

    /** The cached bag under `k` as this call's result (a hit skips tissue detection, tiling and encoding). */
    const fromCache = (k: string): SlideFeatures | null => {
      const hit = cache?.lookup(k, te.featureDim) ?? null;
      if (!hit || !cache) return null;
      const t = hit.meta.tiling as unknown as StoredTiling;
      tracker.markCached();
      tracker.begin('encoding', hit.meta.count);
      tracker.set(hit.meta.count);
      if (req.out) copyBag(cache.dirFor(k), path.resolve(req.out));
      const { coords: _c, ...meta } = hit.meta;
      return {
        bag: hit,
        grid: { originX: t.originX, originY: t.originY, spacingX: t.tileL0, spacingY: t.tileHeightL0 ?? t.tileL0, cols: t.cols, rows: t.rows },
        slideHash: { hashKind, hash },
        info: {
          meta, cacheKey: k, cacheHit: true, encodedTiles: 0, tileCount: hit.meta.count,
          qualityFlags: req.slide.qualityFlags ?? t.qualityFlags ?? [], gridWarnings: t.gridWarnings ?? [], encoder: null, stats: null,
          bagPath: req.out ? path.resolve(req.out) : cache.dirFor(k),
        },
      };
    };
    const cached = fromCache(key);
    if (cached) return cached;

    tracker.begin('tissue', 1);
    checkCancelled();
    const tissue = await slide.tissue(tissueParams);
    tracker.set(1);
    tracker.begin('tiling', 1);
    const grid = computeTileGrid(info, tissue, tiling);
    const coords: [number, number][] = grid.tiles.map((t) => [t.x, t.y]);
    const qualityFlags = slide.quality(tissue);
    tracker.set(1);
    checkCancelled();

    let writer: BagWriter = cache ? cache.writer(key, te.featureDim) : BagWriter.create(path.resolve(req.out ?? ''), te.featureDim);
    let encoderInfo: EncoderInfo | null = null;
    let stats: ExtractStats | null = null;
    try {
      tracker.begin('encoding', coords.length);
      if (coords.length > 0) {
        const perf = { ...defaultPerf(), ...req.perf };
        // One session on a GPU: a second one would only queue on the same device (and hold a second copy of the
        // weights there); the CPU's reason for two sessions (barriers stalled by the reader) does not apply.
        if (float && !req.perf?.encoderSessions && !process.env.GLIOFUSE_ENCODER_SESSIONS) perf.encoderSessions = 1;
        const spec: EncoderSpec = { id: te.id, path: req.encoder.path, sha256: req.encoder.sha256, inputName: te.inputName, outputName: te.outputName, inputSize: te.inputSize, featureDim: te.featureDim, float };
        const lease = await workerSessions.encoderPool(spec, { threads: perf.encoderThreads, allowSpinning: false, forceCpu: req.providers.forceCpu, ...(req.providers.requested ? { requested: req.providers.requested } : {}) }, perf.encoderSessions);
        const thread = lease.value;
        encoderInfo = { ...thread.info, notices: [...thread.info.notices, ...variantNotices] };
        if (float && encoderInfo.variant === 'int8') {
          // The GPU provider did not start: the int8 file ran on the CPU, so its cache entry is the one to use.
          key = keyFor('int8');
          const again = fromCache(key);
          if (again) {
            await lease.release();
            writer.abort();
            return again;
          }
          writer.abort();
          writer = cache ? cache.writer(key, te.featureDim) : BagWriter.create(path.resolve(req.out ?? ''), te.featureDim);
        }
        try {
          stats = await extractFeatures({
            reader: slide, coords, level: grid.level, readWidth: grid.readWidth, readHeight: grid.readHeight,
            preprocessor: new TilePreprocessor(te.normalisation, te.inputSize), encoder: thread,
            batchSize: perf.batchSize, readAhead: perf.readAhead, buffers: perf.buffers,
            sink: (f, c) => writer.append(f, c),
            onProgress: (d) => tracker.set(d),
            checkCancelled,
          });
        } finally {
          await lease.release();
        }
      }
      const stored: StoredTiling = {
        originX: grid.originX, originY: grid.originY, cols: grid.cols, rows: grid.rows, tileL0: grid.tileWidthL0, tileHeightL0: grid.tileHeightL0,
        level: grid.level, readWidth: grid.readWidth, readHeight: grid.readHeight, slideMpp: grid.slideMpp, mppSource: grid.mppSource,
        minTissue: grid.params.minTissue, tissueParams: { ...tissue.params }, tissueFraction: tissue.tissueFraction, tissueThreshold: tissue.threshold,
        qualityFlags, gridWarnings: grid.warnings,
      };
      const metaIn: Omit<BagMeta, 'count' | 'coords' | 'featureDim' | 'featuresSha256' | 'format'> = {
        tileEncoder: { id: te.id, sha256: encoderInfo?.sha256 ?? (float && coords.length > 0 ? float.sha256 : req.encoder.sha256), ...(encoderInfo?.variant === 'float32' ? { variant: 'float32' as const } : {}) },
        mpp: te.mppTarget,
        tileSize: te.inputSize,
        tileSizeLevel0: grid.tileWidthL0,
        slide: { hashKind, hash, fileName: req.slide.fileName, width: info.width, height: info.height },
        tiling: stored as unknown as Record<string, unknown>,
      };
      const full = writer.finish(metaIn);
      const finalDir = writer.finalDir;
      if (cache && req.out) copyBag(finalDir, path.resolve(req.out));
      const bag = readBag(finalDir, { expectedDim: te.featureDim });
      const { coords: _c, ...meta } = full;
      return {
        bag,
        grid: { originX: grid.originX, originY: grid.originY, spacingX: grid.tileWidthL0, spacingY: grid.tileHeightL0, cols: grid.cols, rows: grid.rows },
        slideHash: { hashKind, hash },
        info: {
          meta, cacheKey: cache ? key : null, cacheHit: false, encodedTiles: coords.length, tileCount: coords.length,
          qualityFlags, gridWarnings: grid.warnings, encoder: encoderInfo, stats, bagPath: req.out ? path.resolve(req.out) : finalDir,
        },
      };
    } catch (e) {
      writer.abort();
      throw e;
    }
  } finally {
    slide.close();
  }
}

export function cancelledError(): GliofuseError {
  return new GliofuseError('CANCELLED', 'The analysis was cancelled.');
}
