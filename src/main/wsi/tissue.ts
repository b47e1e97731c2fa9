/**
 * Tissue detection on a low-resolution RGB image of the slide, after CLAM's segmentTissue: HSV saturation →
 * median blur → threshold (Otsu by default) → morphological closing → drop small objects, fill small holes.
 * Pure: the caller (the slide worker) renders the thumbnail; this turns pixels into a mask and statistics.
 */
import { TissueParams, type TissueParamsInput } from '../../shared/contract/slides.ts';
import { closing, filterObjectsAndHoles, medianFilter, saturationChannel, thresholdAbove, valueChannel } from './image-ops.ts';
import { chooseThreshold, type ThresholdChoice } from './tissue-threshold.ts';
import { GliofuseError } from '../../shared/errors.ts';

export interface MaskGeometry {
  width: number;
  height: number;
  /** Level-0 pixels per mask pixel along x and y. */
  downsampleX: number;
  downsampleY: number;
  mppX: number | null;
  mppY: number | null;
}

/** Image statistics used by the quality flags (stain / background checks). */
export interface ImageStats {
  /** Share of pixels darker than V=50 (fluorescence slides have a black background). */
  darkFraction: number;
  /** Share of bright (V>200), weakly saturated pixels: the glass background of bright-field slides. */
  brightBackgroundFraction: number;
  meanSaturation: number;
  meanValue: number;
}

export interface TissueDetection {
  params: TissueParams;
  mask: Uint8Array;
  width: number;
  height: number;
  downsampleX: number;
  downsampleY: number;
  /** The saturation threshold applied (see thresholdChoice for why). */
  threshold: number;
  /** How the threshold was chosen: Otsu's value, Otsu capped by the configured threshold, or the configured one. */
  thresholdChoice: ThresholdChoice;
  tissuePixels: number;
  tissueFraction: number;
  /** null when the slide's MPP is unknown. */
  tissueAreaMm2: number | null;
  objects: number;
  holes: number;
  stats: ImageStats;
}

export function normalizeTissueParams(p: TissueParamsInput | undefined): TissueParams {
  const r = TissueParams.safeParse(p ?? {});
  if (!r.success) throw new GliofuseError('BAD_INPUT', `Invalid tissue parameters: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

export function imageStats(rgb: Uint8Array, pixels: number): ImageStats {
  const v = valueChannel(rgb, pixels);
  const s = saturationChannel(rgb, pixels);
  let dark = 0, bright = 0, sumS = 0, sumV = 0;
  for (let i = 0; i < pixels; i++) {
    const vi = v[i] as number, si = s[i] as number;
    if (vi < 50) dark++;
    if (vi > 200 && si < 40) bright++;
    sumS += si;
    sumV += vi;
  }
  const n = Math.max(1, pixels);
  return { darkFraction: dark / n, brightBackgroundFraction: bright / n, meanSaturation: sumS / n, meanValue: sumV / n };
}

export function detectTissue(rgb: Uint8Array, geom: MaskGeometry, input?: TissueParamsInput): TissueDetection {
  const params = normalizeTissueParams(input);
  const { width, height } = geom;
  const n = width * height;
  if (rgb.length < n * 3) throw new GliofuseError('INTERNAL', 'tissue detection: image buffer smaller than its dimensions');
  const sat = saturationChannel(rgb, n);
  const blurred = medianFilter(sat, width, height, params.medianSize);
  const thresholdChoice = chooseThreshold(blurred, params);
  const threshold = thresholdChoice.threshold;
  let mask = thresholdAbove(blurred, threshold);
  if (params.closeSize > 1) mask = closing(mask, width, height, params.closeSize);

  // CLAM scales its area thresholds from reference patches at level 0 to the segmentation level.
  const refArea = (params.refPatchSize * params.refPatchSize) / (geom.downsampleX * geom.downsampleY);
  const filtered = filterObjectsAndHoles(mask, width, height, params.minObjectArea * refArea, params.minHoleArea * refArea, params.maxHoles);
  mask = filtered.mask;

  let tissuePixels = 0;
  for (let i = 0; i < n; i++) tissuePixels += mask[i] as number;
  const areaPerMaskPxUm2 = geom.mppX !== null && geom.mppY !== null ? geom.downsampleX * geom.mppX * geom.downsampleY * geom.mppY : null;
  return {
    params,
    mask,
    width,
    height,
    downsampleX: geom.downsampleX,
    downsampleY: geom.downsampleY,
    threshold,
    thresholdChoice,
    tissuePixels,
    tissueFraction: n ? tissuePixels / n : 0,
    tissueAreaMm2: areaPerMaskPxUm2 === null ? null : (tissuePixels * areaPerMaskPxUm2) / 1e6,
    objects: filtered.objects,
    holes: filtered.holes,
    stats: imageStats(rgb, n),
  };
}
