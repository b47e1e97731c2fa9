/**
 * What a slide is, derived from OpenSlide's properties: physical resolution (MPP), objective power, bounds and the
 * allow-list of properties that may be shown or stored. Pure functions; shared by the worker and the host.
 */

export interface LevelDims {
  width: number;
  height: number;
  downsample: number;
}

export interface AssociatedImageInfo {
  name: string;
  width: number;
  height: number;
}

export type MppSource = 'openslide' | 'tiff-resolution';

export interface SlideInfo {
  path: string;
  fileName: string;
  sizeBytes: number;
  mtimeMs: number;
  vendor: string;
  width: number;
  height: number;
  levels: LevelDims[];
  mppX: number | null;
  mppY: number | null;
  mppSource: MppSource | null;
  objectivePower: number | null;
  associatedImages: AssociatedImageInfo[];
  quickhash: string | null;
  bounds: { x: number; y: number; width: number; height: number } | null;
  background: [number, number, number];
  /** Every property OpenSlide reports. Never shown or stored as is: pass it through allowListProperties first. */
  properties: Record<string, string>;
  openslideVersion: string;
}

/** µm per pixel outside this range is not a microscope slide's resolution (e.g. a 72-dpi TIFF default). */
const MPP_MIN = 0.02;
const MPP_MAX = 50;

function positive(v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/**
 * MPP from `openslide.mpp-x/y` (all vendors that record it; OpenSlide 4 also fills it for generic TIFF), else from
 * the TIFF resolution tags that OpenSlide 3.4 exposes but does not convert (tiff.XResolution in pixels per
 * ResolutionUnit, where the unit is centimeter or inch).
 */
export function deriveMpp(props: Record<string, string>): { mppX: number | null; mppY: number | null; source: MppSource | null } {
  const ox = positive(props['openslide.mpp-x']);
  const oy = positive(props['openslide.mpp-y']);
  if (ox !== null && ox >= MPP_MIN && ox <= MPP_MAX) {
    const y = oy !== null && oy >= MPP_MIN && oy <= MPP_MAX ? oy : ox;
    return { mppX: ox, mppY: y, source: 'openslide' };
  }
  const unit = (props['tiff.ResolutionUnit'] ?? '').toLowerCase();
  const perUnitUm = unit === 'centimeter' ? 10_000 : unit === 'inch' ? 25_400 : null;
  const xr = positive(props['tiff.XResolution']);
  const yr = positive(props['tiff.YResolution']);
  if (perUnitUm !== null && xr !== null) {
    const mx = perUnitUm / xr;
    const my = yr !== null ? perUnitUm / yr : mx;
    if (mx >= MPP_MIN && mx <= MPP_MAX && my >= MPP_MIN && my <= MPP_MAX) return { mppX: mx, mppY: my, source: 'tiff-resolution' };
  }
  return { mppX: null, mppY: null, source: null };
}

export function deriveObjectivePower(props: Record<string, string>): number | null {
  const v = positive(props['openslide.objective-power']) ?? positive(props['aperio.AppMag']);
  return v !== null && v <= 200 ? v : null;
}

export function deriveBounds(props: Record<string, string>, width: number, height: number): SlideInfo['bounds'] {
  const x = props['openslide.bounds-x'];
  const y = props['openslide.bounds-y'];
  const w = props['openslide.bounds-width'];
  const h = props['openslide.bounds-height'];
  if (x === undefined && y === undefined && w === undefined && h === undefined) return null;
  const bx = Math.max(0, Math.floor(Number(x ?? 0)) || 0);
  const by = Math.max(0, Math.floor(Number(y ?? 0)) || 0);
  const bw = Math.floor(Number(w ?? width)) || width;
  const bh = Math.floor(Number(h ?? height)) || height;
  return { x: bx, y: by, width: Math.min(bw, width - bx), height: Math.min(bh, height - by) };
}

/**
 * Properties that may be shown in the UI, stored in the database or exported. Anything not listed stays inside
 * the worker: free-text descriptions (tiff.ImageDescription, openslide.comment), file names, user names, barcodes
 * and label text can carry patient identifiers, and dates are quasi-identifiers.
 */
const ALLOWED_EXACT = new Set([
  'openslide.vendor', 'openslide.quickhash-1', 'openslide.mpp-x', 'openslide.mpp-y', 'openslide.objective-power',
  'openslide.level-count', 'openslide.background-color',
  'openslide.bounds-x', 'openslide.bounds-y', 'openslide.bounds-width', 'openslide.bounds-height',
  'openslide.icc-size',
  'tiff.ResolutionUnit', 'tiff.XResolution', 'tiff.YResolution', 'tiff.Make', 'tiff.Model', 'tiff.Software',
  'aperio.AppMag', 'aperio.MPP', 'aperio.ScanScope ID', 'aperio.StripeWidth', 'aperio.Exposure Time', 'aperio.Exposure Scale', 'aperio.Gamma', 'aperio.ICC Profile',
  'hamamatsu.SourceLens', 'hamamatsu.Product', 'hamamatsu.System.version',
  'leica.objective', 'leica.aperture', 'leica.device-model', 'leica.device-version', 'leica.illumination-source',
  'mirax.GENERAL.OBJECTIVE_MAGNIFICATION', 'mirax.GENERAL.CAMERA_TYPE', 'mirax.GENERAL.OBJECTIVE_NAME',
  'philips.DICOM_MANUFACTURER', 'philips.DICOM_PIXEL_SPACING', 'philips.DICOM_SOFTWARE_VERSIONS',
  'ventana.Magnification', 'ventana.ScanRes',
  'dicom.Manufacturer', 'dicom.ManufacturerModelName', 'dicom.SoftwareVersions',
]);
const ALLOWED_PATTERN = /^openslide\.level\[\d+\]\.(width|height|downsample|tile-width|tile-height)$/;

export function isAllowedProperty(name: string): boolean {
  return ALLOWED_EXACT.has(name) || ALLOWED_PATTERN.test(name);
}

export function allowListProperties(props: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(props).sort()) {
    const v = props[k];
    if (v !== undefined && isAllowedProperty(k)) out[k] = v.length > 200 ? v.slice(0, 200) : v;
  }
  return out;
}

/** Associated images shown by name only; their pixels need an explicit, audited request (labels carry identifiers). */
export const SENSITIVE_ASSOCIATED = new Set(['label', 'macro']);
