/** Pure helpers for the slide viewer (no DOM; unit-tested in Node): scale bar, magnification, colour map. */

/** Nice lengths for a scale bar: 1, 2, 5 × 10^k µm. */
export function scaleBar(umPerScreenPx: number, targetPx = 140): { px: number; label: string } | null {
  if (!Number.isFinite(umPerScreenPx) || umPerScreenPx <= 0) return null;
  const targetUm = umPerScreenPx * targetPx;
  const pow = Math.pow(10, Math.floor(Math.log10(targetUm)));
  let nice = pow;
  for (const m of [1, 2, 5, 10]) if (m * pow <= targetUm) nice = m * pow;
  const px = nice / umPerScreenPx;
  const label = nice >= 1000 ? `${+(nice / 1000).toPrecision(3)} mm` : nice >= 1 ? `${+nice.toPrecision(3)} µm` : `${+(nice * 1000).toPrecision(3)} nm`;
  return { px, label };
}

/**
 * Apparent magnification on screen: the scan's objective power times screen pixels per level-0 pixel. Without an
 * objective power, estimated from the resolution (a 10× objective ≈ 1 µm/px is the usual convention).
 */
export function magnification(imageZoom: number, objectivePower: number | null, mpp: number | null): { value: number; estimated: boolean } | null {
  if (objectivePower && objectivePower > 0) return { value: objectivePower * imageZoom, estimated: false };
  if (mpp && mpp > 0) return { value: (10 / mpp) * imageZoom, estimated: true };
  return null;
}

export function fmtMag(v: number): string {
  return v >= 10 ? `${v.toFixed(1)}×` : `${v.toFixed(2)}×`;
}

/** Viridis (perceptually uniform, colour-blind safe), 9 stops from matplotlib's table. */
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** CSS gradient of the colour map for legends. */
export function viridisCss(): string {
  return `linear-gradient(90deg, ${VIRIDIS.map((c, i) => `rgb(${c.join(',')}) ${Math.round((i / (VIRIDIS.length - 1)) * 100)}%`).join(', ')})`;
}

export interface HeatmapLike {
  width: number;
  height: number;
  values: (number | null)[];
  valueRange: [number, number];
}

/** Display position 0–1 of a heatmap value after min–max over valueRange (null = no tile there). */
export function heatNormalise(v: number | null | undefined, range: readonly [number, number]): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const span = range[1] - range[0];
  if (!(span > 0)) return 1;
  return Math.min(1, Math.max(0, (v - range[0]) / span));
}

/**
 * The level-0 image zoom (screen px per level-0 px) that shows the slide at `target`× — the inverse of
 * magnification() — for the 5/10/20/40× presets and a typed magnification. Null when the base is unknown.
 */
export function imageZoomForMagnification(target: number, objectivePower: number | null, mpp: number | null): number | null {
  if (!Number.isFinite(target) || target <= 0) return null;
  const base = objectivePower && objectivePower > 0 ? objectivePower : mpp && mpp > 0 ? 10 / mpp : null;
  return base === null ? null : target / base;
}
