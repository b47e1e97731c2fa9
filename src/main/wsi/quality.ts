/**
 * Quality flags shown with a slide and stored with it. Heuristics, stated so a user can judge them:
 * - missing_mpp: no resolution in the file (neither openslide.mpp-x nor usable TIFF resolution tags);
 * - very_large: more than VERY_LARGE_PIXELS level-0 pixels or VERY_LARGE_BYTES on disk (slow to tile);
 * - no_tissue / little_tissue: the tissue mask covers nothing / less than LITTLE_TISSUE of the slide;
 * - unusual_stain: most of the image is dark (a fluorescence slide: black background) or nearly colourless
 *   with no bright glass background (not an H&E bright-field image). Tissue detection and the model assume H&E.
 */
import type { QualityFlag } from '../../shared/contract/slides.ts';
import type { SlideInfo } from './slide-meta.ts';
import type { ImageStats } from './tissue.ts';

export const VERY_LARGE_PIXELS = 4e9;
export const VERY_LARGE_BYTES = 4 * 1024 ** 3;
export const LITTLE_TISSUE = 0.05;
export const DARK_FRACTION = 0.5;

export function qualityFlags(info: Pick<SlideInfo, 'mppX' | 'width' | 'height' | 'sizeBytes' | 'objectivePower'>, tissue: { tissueFraction: number; tissuePixels: number; stats: ImageStats } | null): QualityFlag[] {
  const flags: QualityFlag[] = [];
  if (info.mppX === null) {
    flags.push({
      code: 'missing_mpp', severity: 'warning',
      message: info.objectivePower !== null
        ? `The file records no resolution (µm/px); ${info.objectivePower}x objective power is used as an estimate (${(10 / info.objectivePower).toFixed(3)} µm/px).`
        : 'The file records neither resolution (µm/px) nor objective power; areas are unknown and tiling needs the µm/px entered by hand.',
    });
  }
  const pixels = info.width * info.height;
  if (pixels > VERY_LARGE_PIXELS || info.sizeBytes > VERY_LARGE_BYTES) {
    flags.push({ code: 'very_large', severity: 'info', message: `Very large slide (${info.width.toLocaleString('en-US')} × ${info.height.toLocaleString('en-US')} px, ${(info.sizeBytes / 1024 ** 3).toFixed(1)} GB): analysis will take longer.` });
  }
  if (tissue) {
    if (tissue.tissuePixels === 0) flags.push({ code: 'no_tissue', severity: 'warning', message: 'No tissue was detected on the slide.' });
    else if (tissue.tissueFraction < LITTLE_TISSUE) flags.push({ code: 'little_tissue', severity: 'warning', message: `Little tissue detected (${(tissue.tissueFraction * 100).toFixed(1)} % of the slide).` });
    const s = tissue.stats;
    if (s.darkFraction > DARK_FRACTION) {
      flags.push({ code: 'unusual_stain', severity: 'warning', message: `Mostly dark image (${Math.round(s.darkFraction * 100)} % dark pixels): probably a fluorescence slide, not H&E bright-field.` });
    } else if (s.brightBackgroundFraction < 0.02 && s.meanSaturation < 12) {
      flags.push({ code: 'unusual_stain', severity: 'warning', message: 'Nearly colourless image without a bright background: unstained or not an H&E bright-field slide.' });
    }
  }
  return flags;
}
