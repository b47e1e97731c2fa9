/**
 * Slide QC without encoding (issue 13.2): when the chosen package does not use the slide but the user asked for
 * slide QC, the analysis worker runs tissue detection, the tile grid the encoder would use and the quality flags —
 * seconds instead of minutes of encoding, and no tile encoder needed. Also the provenance pieces that say where
 * the slide's µm/px came from, shared with the encoding path (pipeline.ts).
 */
import type { QualityFlag } from '../../shared/contract/slides.ts';
import type { Warning } from '../../shared/analysis-result.ts';
import type { ModelManifest } from '../../shared/model-manifest.ts';
import type { SlideReader } from '../wsi/slide-reader.ts';
import { normalizeTissueParams } from '../wsi/tissue.ts';
import { describeThreshold } from '../wsi/tissue-threshold.ts';
import { computeTileGrid } from '../wsi/tiler.ts';
import type { ProgressTracker } from './progress.ts';
import { openSlide } from './tile-source.ts';
import type { SlideRef, UserMpp } from './worker-api.ts';

/** A µm/px a user entered for the slide (slides.user_mpp, migration 0040). */

export interface SlideQcInfo {
  tissueFraction: number;
  tissueAreaMm2: number | null;
  threshold: number;
  thresholdRule: string;
  thresholdText: string;
  otsuThreshold: number | null;
  tissueParams: Record<string, unknown>;
  /** The grid the tile encoder would use (its input size at its µm/px). */
  tiles: number;
  cols: number;
  rows: number;
  tileSize: number;
  mpp: number;
  effectiveMpp: number;
  minTissue: number;
  slideMpp: number;
  mppSource: string;
  qualityFlags: QualityFlag[];
  gridWarnings: string[];
}

/** The slide's µm/px as provenance: the file's own value, or the value a user entered, never one for the other. */
export function slideMppProvenance(mpp: { slideMpp: number; mppSource: string }, user: UserMpp | null | undefined): Record<string, unknown> {
  if (mpp.mppSource === 'user' && user) return { value: user.value, source: 'user', enteredBy: user.enteredBy, enteredAt: user.enteredAt };
  return { value: mpp.slideMpp, source: mpp.mppSource };
}

/**
 * Quality flags as result warnings. With a user-entered µm/px the file's `missing_mpp` flag would tell the user
 * to do what they did; it becomes an info note naming who entered the value.
 */
export function slideQualityWarnings(flags: readonly QualityFlag[], user: UserMpp | null | undefined): Warning[] {
  const out: Warning[] = [];
  for (const q of flags) {
    if (q.code === 'missing_mpp' && user) {
      out.push({ code: 'quality_flag', severity: 'info', message: `The slide file records no µm/px; ${user.value} µm/px entered by ${user.enteredBy} (${user.enteredAt.slice(0, 10)}) was used.` });
      continue;
    }
    out.push({ code: q.code === 'no_tissue' ? 'no_tissue' : 'quality_flag', severity: q.severity, message: q.message });
  }
  return out;
}

export async function computeSlideQc(
  req: { slide: SlideRef; tileEncoder: ModelManifest['tileEncoder']; tissue?: Record<string, unknown> | undefined; slideMpp?: number | undefined; minTissue?: number | undefined },
  reader: SlideReader, tracker: ProgressTracker, checkCancelled: () => void,
): Promise<SlideQcInfo> {
  const te = req.tileEncoder;
  const slide = await openSlide(reader, req.slide.path);
  try {
    tracker.begin('tissue', 1);
    checkCancelled();
    const tissue = await slide.tissue(normalizeTissueParams(req.tissue));
    tracker.set(1);
    tracker.begin('tiling', 1);
    const grid = computeTileGrid(slide.info, tissue, { mpp: te.mppTarget, size: te.inputSize, minTissue: req.minTissue ?? 0.5, ...(req.slideMpp !== undefined ? { slideMpp: req.slideMpp } : {}) });
    tracker.set(1);
    const area = tissue.tissueAreaMm2 ?? (tissue.tissuePixels * tissue.downsampleX * tissue.downsampleY * grid.slideMpp * grid.slideMppY) / 1e6;
    return {
      tissueFraction: tissue.tissueFraction, tissueAreaMm2: area, threshold: tissue.threshold, thresholdRule: tissue.thresholdChoice.rule,
      thresholdText: describeThreshold(tissue.thresholdChoice), otsuThreshold: tissue.thresholdChoice.otsu, tissueParams: { ...tissue.params },
      tiles: grid.tiles.length, cols: grid.cols, rows: grid.rows, tileSize: te.inputSize, mpp: te.mppTarget, effectiveMpp: grid.effectiveMpp,
      minTissue: grid.params.minTissue, slideMpp: grid.slideMpp, mppSource: grid.mppSource, qualityFlags: slide.quality(tissue), gridWarnings: grid.warnings,
    };
  } finally {
    slide.close();
  }
}
