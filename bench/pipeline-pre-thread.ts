/**
 * worker_thread body for bench/pipeline.ts: runs the pipeline's own preprocessing code (argbToRgb +
 * TilePreprocessor.intoBatch) over the given ARGB tiles `reps` times once told "go" (so module loading is not
 * timed and all threads start together), then reports tiles and milliseconds.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { argbToRgb } from '../src/main/wsi/pixels.ts';
import { TilePreprocessor, type NormalisationSpec } from '../src/main/analysis/preprocess.ts';

const d = workerData as { tiles: Uint32Array[]; w: number; h: number; reps: number; norm: NormalisationSpec };
const pre = new TilePreprocessor(d.norm, 224);
const batch = new Float32Array(16 * pre.sliceFloats);
parentPort?.once('message', () => {
  let n = 0;
  const t0 = performance.now();
  for (let r = 0; r < d.reps; r++) {
    for (const argb of d.tiles) pre.intoBatch(argbToRgb(argb), d.w, d.h, batch, n++ % 16);
  }
  parentPort?.postMessage({ n, ms: performance.now() - t0 });
});
parentPort?.postMessage('ready');
