/**
 * Read → preprocess → encode with the three stages overlapping (docs/pipeline.md, "Overlap"):
 *
 *   koffi threads   OpenSlide read_region for up to `readAhead` tiles ahead of the consumer (a bounded FIFO of
 *                   pending reads, consumed in tile order)
 *   this JS thread  ARGB → RGB, resize, normalise into one slot of an NCHW batch buffer
 *   encoder thread  onnxruntime on full batches; at most `buffers − 1` batches queued or running there
 *
 * A fixed pool of `buffers` batch buffers circulates (transferred to the encoder thread and back), so memory is
 * bounded by readAhead tiles + buffers batches whatever the slide size; features stream to the sink in tile
 * order. Cancellation is checked per tile; outstanding reads and encodes are awaited before returning so no
 * native call outlives the slide handle or the session.
 */
import type { TilePreprocessor } from './preprocess.ts';
import type { EncodedBatch } from './encoder-thread.ts';

export interface TileReader {
  readArgb(x: number, y: number, level: number, width: number, height: number): Promise<Uint32Array>;
  toRgb(argb: Uint32Array): Uint8Array;
}

export interface BatchEncoder {
  encode(batch: Float32Array, n: number): Promise<EncodedBatch>;
}

export interface ExtractParams {
  reader: TileReader;
  coords: readonly (readonly [number, number])[];
  level: number;
  readWidth: number;
  readHeight: number;
  preprocessor: TilePreprocessor;
  encoder: BatchEncoder;
  batchSize: number;
  /** Tiles read ahead of preprocessing (bounded queue of pending reads). */
  readAhead: number;
  /** Native reads running at once (default readAhead: all at once; see fill()). */
  readConcurrency?: number;
  /** Batch buffers in circulation (≥ 2: one being filled, the rest queued at or running in the encoder). */
  buffers: number;
  sink(features: Float32Array, coords: readonly (readonly [number, number])[]): void;
  onProgress(done: number): void;
  /** Throws (CANCELLED) to stop. */
  checkCancelled(): void;
}

export interface ExtractStats {
  tiles: number;
  batches: number;
  /** Time the JS thread spent waiting for a read to finish (reads were the bottleneck). */
  waitReadMs: number;
  /** Time spent waiting for a free batch buffer (the encoder was the bottleneck). */
  waitEncoderMs: number;
  /** Time spent converting and preprocessing on this thread. */
  preprocessMs: number;
  totalMs: number;
}

const quiet = <T>(p: Promise<T>): Promise<T> => {
  p.catch(() => undefined); // handled where it is awaited; this only stops an "unhandled rejection" in between
  return p;
};

export async function extractFeatures(p: ExtractParams): Promise<ExtractStats> {
  const t0 = performance.now();
  const N = p.coords.length;
  const per = p.preprocessor.sliceFloats;
  const free: Float32Array[] = Array.from({ length: Math.max(2, p.buffers) }, () => new Float32Array(p.batchSize * per));
  const reads: Promise<Uint32Array>[] = [];
  const inflight: { promise: Promise<EncodedBatch>; coords: (readonly [number, number])[] }[] = [];
  const stats: ExtractStats = { tiles: 0, batches: 0, waitReadMs: 0, waitEncoderMs: 0, preprocessMs: 0, totalMs: 0 };
  let nextRead = 0;
  let done = 0;

  // Reads run in `readConcurrency` chains (default: as many as readAhead, i.e. all at once), each chain one read
  // after another, consecutive tiles in the same chain in blocks of readAhead/chains. Fewer chains decode shared
  // source tiles of neighbours once instead of twice, but leave the reads a smaller share of the cores next to the
  // encoder threads: on the 2-core machine, all-at-once was faster when the machine was otherwise idle and two
  // chains when it was busy (bench/pipeline.ts prints both), so the default stays all at once.
  const chains: Promise<unknown>[] = Array.from({ length: Math.max(1, p.readConcurrency ?? p.readAhead) }, () => Promise.resolve());
  const block = Math.max(1, Math.floor(p.readAhead / chains.length));
  const fill = () => {
    while (nextRead < N && reads.length < p.readAhead) {
      const k = Math.floor(nextRead / block) % chains.length;
      const c = p.coords[nextRead++] as readonly [number, number];
      const read = (chains[k] as Promise<unknown>).then(() => p.reader.readArgb(c[0], c[1], p.level, p.readWidth, p.readHeight));
      chains[k] = read.catch(() => undefined);
      reads.push(quiet(read));
    }
  };

  const drainOne = async () => {
    const f = inflight.shift();
    if (!f) return;
    const r = await f.promise;
    p.sink(r.features, f.coords);
    free.push(r.batch);
    done += f.coords.length;
    p.onProgress(done);
  };

  try {
    let batch: Float32Array | null = null;
    let slot = 0;
    let batchCoords: (readonly [number, number])[] = [];
    for (let i = 0; i < N; i++) {
      p.checkCancelled();
      fill();
      const tw = performance.now();
      const argb = await (reads.shift() as Promise<Uint32Array>);
      stats.waitReadMs += performance.now() - tw;
      fill();
      if (!batch) {
        const te = performance.now();
        while (free.length === 0) await drainOne();
        stats.waitEncoderMs += performance.now() - te;
        batch = free.pop() as Float32Array;
        slot = 0;
        batchCoords = [];
      }
      const tp = performance.now();
      p.preprocessor.intoBatch(p.reader.toRgb(argb), p.readWidth, p.readHeight, batch, slot++);
      stats.preprocessMs += performance.now() - tp;
      batchCoords.push(p.coords[i] as readonly [number, number]);
      if (slot === p.batchSize || i === N - 1) {
        inflight.push({ promise: quiet(p.encoder.encode(batch, slot)), coords: batchCoords });
        stats.batches++;
        batch = null;
      }
    }
    while (inflight.length) await drainOne();
    stats.tiles = done;
    stats.totalMs = performance.now() - t0;
    return stats;
  } finally {
    // On cancel/failure: let every native call finish before the caller closes the slide or the session.
    await Promise.allSettled([...reads, ...inflight.map((f) => f.promise)]);
  }
}
