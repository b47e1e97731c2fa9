/**
 * The top-k patch gallery (UI.md: "top-k patch gallery, click to navigate"): one thumbnail per top-attention patch,
 * cut from the slide's own deep-zoom tiles (no extra server call), numbered like the report's boxes. Clicking one
 * opens that region in the viewer. Used on the Analysis tab and in the viewer's heatmap layer.
 */
import type { FocusRect } from './SlideViewer.tsx';
import { tileUrl } from '../../api.ts';
import './patch-gallery.css';

export interface PatchItem {
  x: number;
  y: number;
  size: number;
  score: number;
  prototype: number | null;
}

/** The part of the deep-zoom descriptor the thumbnails need. */
export interface DzGeometry {
  slideId: number;
  tileSize: number;
  overlap: number;
  levelCount: number;
  levels: readonly { width: number; height: number; cols: number; rows: number }[];
}

const THUMB = 88;

interface TilePiece {
  key: string;
  src: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The deep-zoom tiles covering a level-0 square, placed in a THUMB × THUMB box. Picks the coarsest level that still
 * has at least THUMB pixels across the patch, so a patch needs at most four small tiles.
 */
export function patchPieces(dz: DzGeometry, p: PatchItem): TilePiece[] {
  const maxDz = dz.levelCount - 1;
  const steps = Math.max(0, Math.min(maxDz, Math.floor(Math.log2(Math.max(1, p.size / THUMB)))));
  const level = maxDz - steps;
  const lv = dz.levels[level];
  if (!lv) return [];
  const d = 2 ** steps;
  const k = THUMB / (p.size / d); // screen px per level px
  const x0 = p.x / d;
  const y0 = p.y / d;
  const x1 = (p.x + p.size) / d;
  const y1 = (p.y + p.size) / d;
  const ts = dz.tileSize;
  const clampCol = (c: number) => Math.max(0, Math.min(lv.cols - 1, c));
  const clampRow = (r: number) => Math.max(0, Math.min(lv.rows - 1, r));
  const pieces: TilePiece[] = [];
  for (let col = clampCol(Math.floor(x0 / ts)); col <= clampCol(Math.floor((x1 - 1e-6) / ts)); col++) {
    for (let row = clampRow(Math.floor(y0 / ts)); row <= clampRow(Math.floor((y1 - 1e-6) / ts)); row++) {
      // A deep-zoom tile carries `overlap` extra pixels on every side that has a neighbour.
      const left = col > 0 ? dz.overlap : 0;
      const top = row > 0 ? dz.overlap : 0;
      const w = Math.min(ts, lv.width - ts * col) + left + (col < lv.cols - 1 ? dz.overlap : 0);
      const h = Math.min(ts, lv.height - ts * row) + top + (row < lv.rows - 1 ? dz.overlap : 0);
      pieces.push({
        key: `${level}/${col}_${row}`,
        src: tileUrl(dz.slideId, level, col, row),
        left: (col * ts - left - x0) * k,
        top: (row * ts - top - y0) * k,
        width: w * k,
        height: h * k,
      });
    }
  }
  return pieces;
}

function PatchThumb({ dz, p }: { dz: DzGeometry | null; p: PatchItem }) {
  return (
    <span className="patch-thumb" aria-hidden="true" style={{ width: THUMB, height: THUMB }}>
      {dz && patchPieces(dz, p).map((t) => (
        <img key={t.key} src={t.src} alt="" draggable={false} style={{ left: t.left, top: t.top, width: t.width, height: t.height }} />
      ))}
    </span>
  );
}

export function patchLabel(p: PatchItem, i: number): string {
  return `#${i + 1} at (${Math.round(p.x)}, ${Math.round(p.y)}) · score ${p.score.toPrecision(3)}${p.prototype !== null ? ` · prototype ${p.prototype}` : ''}`;
}

export function PatchGallery({ patches, dz, onOpen, current = null, label = 'Top patches by attention' }: {
  patches: readonly PatchItem[];
  dz: DzGeometry | null;
  onOpen: (focus: FocusRect, index: number) => void;
  current?: FocusRect | null;
  label?: string;
}) {
  return (
    <ol className="patch-gallery" aria-label={label}>
      {patches.map((p, i) => {
        const here = current !== null && Math.round(current.x) === Math.round(p.x) && Math.round(current.y) === Math.round(p.y) && Math.round(current.w) === Math.round(p.size);
        return (
          <li key={i}>
            <button type="button" className="patch-card" aria-current={here ? 'location' : undefined}
              onClick={() => onOpen({ x: Math.round(p.x), y: Math.round(p.y), w: Math.round(p.size), h: Math.round(p.size) }, i)}>
              <PatchThumb dz={dz} p={p} />
              <span className="patch-caption">{patchLabel(p, i)}</span>
            </button>
          </li>
        );
      })}
    </ol>
  );
}
