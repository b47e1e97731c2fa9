/**
 * The viridis colour map (perceptually uniform, colour-blind safe; UI.md asks for it for heatmaps), as ten
 * evenly spaced stops of the published map, interpolated linearly in sRGB. Ten stops keep the interpolation
 * error far below what a printed thumbnail can show.
 */
export const VIRIDIS_STOPS: readonly (readonly [number, number, number])[] = [
  [0x44, 0x01, 0x54], [0x48, 0x28, 0x78], [0x3e, 0x4a, 0x89], [0x31, 0x68, 0x8e], [0x26, 0x82, 0x8e],
  [0x1f, 0x9e, 0x89], [0x35, 0xb7, 0x79], [0x6d, 0xcd, 0x59], [0xb4, 0xde, 0x2c], [0xfd, 0xe7, 0x25],
];

/** t in [0, 1] (clamped) -> [r, g, b] 0..255. */
export function viridis(t: number): [number, number, number] {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const pos = x * (VIRIDIS_STOPS.length - 1);
  const i = Math.min(VIRIDIS_STOPS.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = VIRIDIS_STOPS[i]!;
  const b = VIRIDIS_STOPS[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

export function viridisHex(t: number): string {
  return `#${viridis(t).map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
