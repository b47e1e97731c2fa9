/**
 * The top-k patch gallery (UI.md: "top-k patch gallery, click to navigate"): one thumbnail per top-attention patch,
 * cut from the slide's own deep-zoom tiles (no extra server call), numbered like the report's boxes. Clicking one
 * opens that region in the viewer. Used on the Analysis tab and in the viewer's heatmap layer.
 */
import type { FocusRect } from './focus-rect.ts';
import { tileUrl } from '../../api.ts';
import { THUMB, patchPieces, type DzGeometry, type PatchItem } from './patch-pieces.ts';
import './patch-gallery.css';

export type { DzGeometry, PatchItem };

function PatchThumb({ dz, p }: { dz: DzGeometry | null; p: PatchItem }) {
  return (
    <span className="patch-thumb" aria-hidden="true" style={{ width: THUMB, height: THUMB }}>
      {dz && patchPieces(dz, p).map((t) => (
        <img key={t.key} src={tileUrl(dz.slideId, t.level, t.col, t.row)} alt="" draggable={false} style={{ left: t.left, top: t.top, width: t.width, height: t.height }} />
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
