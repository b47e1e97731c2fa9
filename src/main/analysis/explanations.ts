/**
 * Explanations computed from the model's own outputs (docs/pipeline.md, "Explanations"):
 * - heatmap: patch_attention per tile placed on the slide's tile grid (HeatmapGrid in analysis-result.ts);
 * - top patches: the k tiles with the highest attention, each with its dominant prototype (argmax of
 *   patch_assignment);
 * - genomic attributions by single-feature ablation through the ONNX model: each observed field is replaced by
 *   what the app feeds for a missing value (its imputation value, normalised, with mask 0) and the model is run
 *   again. attribution = risk(observed profile) − risk(field treated as missing): positive = the observed value
 *   raises the predicted risk. deltaTopClassProb = p(top class | observed) − p(top class | field missing).
 *   Imputed fields have nothing to ablate (attribution 0, imputed: true).
 */
import type { GenomicAttribution, HeatmapGrid } from '../../shared/analysis-result.ts';
import type { ModelManifest } from '../../shared/model-manifest.ts';

export interface TileGrid {
  originX: number;
  originY: number;
  /** Tile sides in level-0 pixels (grid spacing). */
  spacingX: number;
  spacingY: number;
  cols: number;
  rows: number;
}

export const HEATMAP_QUANTITY = 'patch attention: the model\'s prototype cross-attention on each tile, averaged over prototypes and heads; sums to 1 over the analysed tiles';
export const HEATMAP_NORMALISATION = 'linear min–max over this slide\'s analysed tiles (valueRange); cells without an analysed tile are empty';

export function heatmapGrid(coords: readonly (readonly [number, number])[], attention: Float32Array | readonly number[], grid: TileGrid): HeatmapGrid {
  const values: (number | null)[] = new Array<number | null>(grid.cols * grid.rows).fill(null);
  let min = Infinity;
  let max = -Infinity;
  coords.forEach(([x, y], k) => {
    const i = Math.round((x - grid.originX) / grid.spacingX);
    const j = Math.round((y - grid.originY) / grid.spacingY);
    if (i < 0 || j < 0 || i >= grid.cols || j >= grid.rows) return;
    const v = Number(attention[k] ?? 0);
    values[j * grid.cols + i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  });
  return {
    originX: grid.originX,
    originY: grid.originY,
    spacingX: grid.spacingX,
    spacingY: grid.spacingY,
    width: grid.cols,
    height: grid.rows,
    values,
    valueRange: Number.isFinite(min) ? [min, max] : [0, 0],
    quantity: HEATMAP_QUANTITY,
    normalisation: HEATMAP_NORMALISATION,
  };
}

export interface TopPatch {
  x: number;
  y: number;
  size: number;
  score: number;
  prototype: number | null;
}

export function topPatches(coords: readonly (readonly [number, number])[], attention: Float32Array, assignment: Float32Array, prototypes: number, size: number, k = 8): TopPatch[] {
  const idx = Array.from({ length: coords.length }, (_, i) => i);
  idx.sort((a, b) => (attention[b] as number) - (attention[a] as number) || a - b);
  return idx.slice(0, k).map((i) => {
    let proto: number | null = null;
    if (prototypes > 0) {
      let best = -Infinity;
      for (let p = 0; p < prototypes; p++) {
        const v = assignment[i * prototypes + p] as number;
        if (v > best) { best = v; proto = p; }
      }
    }
    const c = coords[i] as readonly [number, number];
    return { x: c[0], y: c[1], size, score: attention[i] as number, prototype: proto };
  });
}

export const GENOMIC_ATTRIBUTION_METHOD =
  'single-feature ablation through the model: attribution = risk with the observed value − risk with that field treated as missing (imputation value, mask 0); positive = the observed value raises the predicted risk. deltaTopClassProb is the same difference for the probability of the top molecular class. Fields that were already imputed have attribution 0.';

export interface AblationRun {
  (genomics: Float32Array, mask: Float32Array): Promise<{ risk: number; classProbs: number[] }>;
}

/**
 * Ablates each observed field in turn. `vector`/`mask` are the model's genomic input; `values` the raw values by
 * feature id (null = imputed). Returns one entry per schema feature, sorted by |attribution| (largest first).
 */
export async function genomicAttributions(
  features: ModelManifest['genomicSchema']['features'],
  vector: Float32Array,
  mask: Float32Array,
  values: Record<string, number | null>,
  base: { risk: number; classProbs: number[] },
  run: AblationRun,
  shouldStop: () => void = () => undefined,
): Promise<(GenomicAttribution & { deltaTopClassProb: number })[]> {
  let top = 0;
  base.classProbs.forEach((p, i) => { if (p > (base.classProbs[top] as number)) top = i; });
  const out: (GenomicAttribution & { deltaTopClassProb: number })[] = [];
  for (let i = 0; i < features.length; i++) {
    const f = features[i] as (typeof features)[number];
    const observed = (mask[i] as number) > 0.5;
    if (!observed) {
      out.push({ featureId: f.id, display: f.displayName, value: null, imputed: true, attribution: 0, deltaTopClassProb: 0 });
      continue;
    }
    shouldStop();
    const g = vector.slice();
    const m = mask.slice();
    g[i] = (f.impute - f.normalise.mean) / f.normalise.std;
    m[i] = 0;
    const r = await run(g, m);
    out.push({
      featureId: f.id, display: f.displayName, value: values[f.id] ?? null, imputed: false,
      attribution: base.risk - r.risk,
      deltaTopClassProb: (base.classProbs[top] as number) - (r.classProbs[top] as number),
    });
  }
  out.sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution) || (a.imputed === b.imputed ? 0 : a.imputed ? 1 : -1));
  return out;
}
