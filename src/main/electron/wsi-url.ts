/**
 * wsi://slide/<slideId>/<level>/<col>_<row>.jpeg <-> tile coordinates. Used by the preload (to build URLs) and by
 * the protocol handler (to parse them); no electron import. Bounds match the loopback bridge's tile route.
 */
import { WSI_HOST, WSI_SCHEME } from './security-policy.ts';

export interface TileAddress {
  slideId: number;
  level: number;
  col: number;
  row: number;
}

const PATH_RE = /^\/(\d{1,9})\/(\d{1,2})\/(\d{1,7})_(\d{1,7})\.jpeg$/;

function nonNegativeInt(n: number, max: number): boolean {
  return Number.isSafeInteger(n) && n >= 0 && n <= max;
}

export function tileUrl(slideId: number, level: number, col: number, row: number): string {
  if (!nonNegativeInt(slideId, 999_999_999) || slideId === 0 || !nonNegativeInt(level, 99) || !nonNegativeInt(col, 9_999_999) || !nonNegativeInt(row, 9_999_999)) {
    throw new RangeError(`invalid tile address ${slideId}/${level}/${col}_${row}`);
  }
  return `${WSI_SCHEME}://${WSI_HOST}/${slideId}/${level}/${col}_${row}.jpeg`;
}

export function parseTileUrl(url: string): TileAddress | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${WSI_SCHEME}:` || u.host !== WSI_HOST || u.search !== '' || u.username !== '' || u.password !== '') return null;
  const m = PATH_RE.exec(u.pathname);
  if (!m) return null;
  const [slideId, level, col, row] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  if (slideId === 0) return null;
  return { slideId, level, col, row };
}
