// Slide channels (whole-slide engine). Registered in ./index.ts. Design notes: docs/wsi.md.
import { z } from 'zod';
import { EDITORS, channel } from './define.ts';
import { Id, IsoDateTime } from './common.ts';

/**
 * Tissue detection parameters (CLAM `segmentTissue` names in brackets). Areas are in units of a reference patch
 * of `refPatchSize`² level-0 pixels, as CLAM's a_t / a_h, so they mean the same physical size at any mask scale.
 */
export const TissueParams = z.object({
  /**
   * Threshold on the median-filtered HSV saturation [use_otsu]: `otsu` = Otsu's threshold when the histogram is
   * bimodal (glass + tissue), capped by `threshold`, else `threshold` (src/main/wsi/tissue-threshold.ts); `fixed`
   * = `threshold`.
   */
  method: z.enum(['otsu', 'fixed']).default('otsu'),
  /** Saturation threshold (0–255) [sthresh]: used as is by `fixed`, and the upper limit of Otsu's by `otsu`. */
  threshold: z.number().int().min(0).max(255).default(20),
  /** Median filter window, odd [mthresh]. */
  medianSize: z.number().int().min(1).max(31).refine((v) => v % 2 === 1, 'must be odd').default(7),
  /** Closing kernel size in mask pixels, 0 = none [close]. */
  closeSize: z.number().int().min(0).max(31).default(4),
  /** Smallest tissue object kept, in reference patches [a_t]. */
  minObjectArea: z.number().min(0).max(100_000).default(1),
  /** Smallest hole kept (smaller holes are filled), in reference patches [a_h]. */
  minHoleArea: z.number().min(0).max(100_000).default(1),
  /** Holes kept per object, largest first [max_n_holes]. */
  maxHoles: z.number().int().min(0).max(10_000).default(8),
  /** Reference patch side in level-0 pixels [ref_patch_size]. */
  refPatchSize: z.number().int().min(16).max(8192).default(512),
  /** Longest side of the low-resolution image the mask is computed on. */
  maxDimension: z.number().int().min(128).max(8192).default(1536),
}).strict();
export type TissueParams = z.output<typeof TissueParams>;
export type TissueParamsInput = z.input<typeof TissueParams>;

export const TileGridParams = z.object({
  /** Target resolution of the tiles in µm per pixel. */
  mpp: z.number().positive().max(100).default(0.5),
  /** Tile side in output pixels. */
  size: z.number().int().min(16).max(4096).default(224),
  /** Keep tiles whose tissue fraction (from the mask) is at least this. */
  minTissue: z.number().min(0).max(1).default(0.5),
  /** The slide's own µm/px when the file does not record it (overrides the file when given). */
  slideMpp: z.number().positive().max(100).optional(),
}).strict();
export type TileGridParams = z.output<typeof TileGridParams>;
export type TileGridParamsInput = z.input<typeof TileGridParams>;

export const QUALITY_CODES = ['little_tissue', 'no_tissue', 'missing_mpp', 'very_large', 'unusual_stain'] as const;
export const QualityFlag = z.object({
  code: z.enum(QUALITY_CODES),
  severity: z.enum(['info', 'warning']),
  message: z.string(),
});
export type QualityFlag = z.infer<typeof QualityFlag>;

export const SlideLevel = z.object({ width: z.number().int(), height: z.number().int(), downsample: z.number() });
export const AssociatedImage = z.object({
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  /** label/macro carry patient identifiers: their pixels need slides.associated (pathologist/admin, audited). */
  sensitive: z.boolean(),
});

export const TissueSummary = z.object({
  tissueFraction: z.number(),
  tissueAreaMm2: z.number().nullable(),
  threshold: z.number(),
  /** How the threshold was chosen (src/main/wsi/tissue-threshold.ts); absent on slides attached before issue 13. */
  thresholdRule: z.enum(['fixed', 'otsu', 'otsu-capped', 'not-bimodal']).optional(),
  /** Otsu's threshold on this image (null for method = fixed). */
  otsuThreshold: z.number().nullable().optional(),
  objects: z.number().int(),
  params: TissueParams,
});

export const SlideSummary = z.object({
  id: Id,
  caseId: Id,
  patientPseudonym: z.string(),
  fileName: z.string(),
  sizeBytes: z.number().int(),
  hashKind: z.enum(['sha256', 'quickhash1']),
  hash: z.string(),
  vendor: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  mppX: z.number().nullable(),
  mppY: z.number().nullable(),
  mppSource: z.enum(['openslide', 'tiff-resolution']).nullable(),
  objectivePower: z.number().nullable(),
  quality: z.array(QualityFlag),
  tissueFraction: z.number().nullable(),
  addedBy: z.string(),
  addedAt: IsoDateTime,
  /** False when the file is no longer at its registered path (moved, unmounted). */
  available: z.boolean(),
  /**
   * µm/px entered by a user (issue 13.4), never stored in mppX/mppY, which are the file's own values. Tiling and
   * analyses use it in preference to the file's; provenance and the PDF show it as entered by that user.
   */
  userMpp: z.object({ value: z.number().positive(), enteredBy: z.string(), enteredAt: z.string() }).nullable(),
  /** Tissue-detection parameters chosen for this slide in the viewer (null = the defaults); its analyses use them. */
  tissueParams: TissueParams.nullable(),
});
export type SlideSummary = z.infer<typeof SlideSummary>;

export const SlideDetail = SlideSummary.extend({
  levels: z.array(SlideLevel),
  associatedImages: z.array(AssociatedImage),
  quickhash: z.string().nullable(),
  /** Allow-listed OpenSlide properties only (no descriptions, file names, users, barcodes, dates). */
  properties: z.record(z.string(), z.string()),
  tissue: TissueSummary.nullable(),
});
export type SlideDetail = z.infer<typeof SlideDetail>;

export const DeepZoomDescriptor = z.object({
  slideId: Id,
  width: z.number().int(),
  height: z.number().int(),
  tileSize: z.number().int(),
  overlap: z.number().int(),
  format: z.literal('jpeg'),
  levelCount: z.number().int(),
  levels: z.array(z.object({ width: z.number().int(), height: z.number().int(), cols: z.number().int(), rows: z.number().int() })),
  /** The .dzi XML. */
  xml: z.string(),
  /**
   * Tile path below the shell's prefix: Electron serves `wsi://slide/<tilePath>`, the loopback bridge
   * `/wsi/<tilePath>`, with {level}, {col}, {row} filled in (OpenSeadragon's getTileUrl).
   */
  tilePath: z.string(),
  mppX: z.number().nullable(),
  mppY: z.number().nullable(),
  objectivePower: z.number().nullable(),
});
export type DeepZoomDescriptor = z.infer<typeof DeepZoomDescriptor>;

export const TissueResponse = TissueSummary.extend({
  slideId: Id,
  /** data:image/png;base64,… — white = tissue, black = background, one pixel per (downsampleX × downsampleY) level-0 px. */
  maskPng: z.string(),
  maskWidth: z.number().int(),
  maskHeight: z.number().int(),
  downsampleX: z.number(),
  downsampleY: z.number(),
  sourceLevel: z.number().int(),
});
export type TissueResponse = z.infer<typeof TissueResponse>;

export const TileGridResponse = z.object({
  slideId: Id,
  params: TileGridParams,
  level: z.number().int(),
  levelDownsample: z.number(),
  slideMpp: z.number(),
  mppSource: z.enum(['openslide', 'tiff-resolution', 'user', 'objective-power']),
  effectiveMpp: z.number(),
  /** Tile side in level-0 pixels (x, y). */
  tileWidthL0: z.number().int(),
  tileHeightL0: z.number().int(),
  cols: z.number().int(),
  rows: z.number().int(),
  count: z.number().int(),
  /** Kept tiles: [x, y, tissueFraction] with x, y the top-left corner in level-0 pixels. */
  tiles: z.array(z.tuple([z.number().int(), z.number().int(), z.number()])),
  warnings: z.array(z.string()),
});
export type TileGridResponse = z.infer<typeof TileGridResponse>;

export const ImageDataUrl = z.object({ width: z.number().int(), height: z.number().int(), dataUrl: z.string() });

export const slideChannels = {
  'slides.attach': channel({
    request: z.object({ caseId: Id, path: z.string().trim().min(1).max(4096) }).strict(),
    response: SlideDetail,
    access: EDITORS,
    summary: 'validate a whole-slide file with OpenSlide, hash it and register it with a case',
  }),
  'slides.list': channel({
    request: z.object({ caseId: Id }).strict(),
    response: z.object({ patientPseudonym: z.string(), slides: z.array(SlideSummary) }),
    access: 'any', auditRead: true, summary: 'slides of a case',
  }),
  'slides.get': channel({
    request: z.object({ id: Id }).strict(),
    response: SlideDetail,
    access: 'any', auditRead: true, summary: 'slide metadata panel (vendor, dimensions, levels, MPP, objective, quickhash)',
  }),
  'slides.dzi': channel({
    request: z.object({ id: Id }).strict(),
    response: DeepZoomDescriptor,
    access: 'any', summary: 'deep-zoom descriptor for the viewer',
  }),
  'slides.tissue': channel({
    request: z.object({ id: Id, params: TissueParams.partial().optional() }).strict(),
    response: TissueResponse,
    access: 'any', summary: 'tissue mask (PNG) and statistics, with the parameters used',
  }),
  'slides.tileGrid': channel({
    request: z.object({ id: Id, params: TileGridParams.partial().optional(), tissue: TissueParams.partial().optional() }).strict(),
    response: TileGridResponse,
    access: 'any', summary: 'tile rectangles for the overlay (same grid the analysis uses)',
  }),
  'slides.associated': channel({
    request: z.object({ id: Id, name: z.string().min(1).max(64) }).strict(),
    response: ImageDataUrl.extend({ name: z.string() }),
    access: EDITORS, summary: 'label / macro image (may show patient identifiers; audited)',
  }),
  'slides.thumbnail': channel({
    request: z.object({ id: Id, maxSize: z.number().int().min(32).max(2048).default(512) }).strict(),
    response: ImageDataUrl,
    access: 'any', summary: 'slide thumbnail (JPEG data URL)',
  }),
};
