/**
 * The per-slide feature cache: one feature bag per (slide content, tile encoder, tiling + tissue parameters) in
 * <dataDir>/cache/features/<key[0..2]>/<key>/. Re-analysing a slide, or analysing it with a second model that
 * uses the same encoder, skips tissue detection, reading and encoding and goes straight to inference.
 *
 * The key is the sha256 of the canonical JSON of everything that changes the features: the slide's content hash
 * (OpenSlide quickhash-1 or the file's sha256), the encoder id and file sha256, the tile grid (µm/px, size,
 * tissue threshold, any µm/px override) and the tissue-detection parameters, plus a format version. A bag that
 * fails its checks on read is deleted and recomputed, never used.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { canonicalJson } from '../audit/canonical.ts';
import { BagWriter, readBag, type Bag } from './feature-bag.ts';

// 2: issue 13 changed the mask the same tissue parameters give (Otsu used only on a bimodal histogram and capped by
// the configured threshold), so bags keyed under 1 hold other tile sets and must not be reused.
export const FEATURE_CACHE_VERSION = 2;

export interface FeatureCacheKeyInput {
  slide: { hashKind: string; hash: string };
  /** `variant` only for the float derivation (encoder-variants.ts): int8 keys stay what they were. */
  encoder: { id: string; sha256: string; variant?: 'float32' };
  /** Tile grid parameters as resolved (µm/px, size, minTissue, slideMpp override if any). */
  tiling: Record<string, unknown>;
  /** Tissue-detection parameters as resolved (defaults filled in). */
  tissue: Record<string, unknown>;
}

export function featureCacheKey(k: FeatureCacheKeyInput): string {
  const obj = { v: FEATURE_CACHE_VERSION, slide: k.slide, encoder: k.encoder, tiling: k.tiling, tissue: k.tissue };
  return crypto.createHash('sha256').update(canonicalJson(obj), 'utf8').digest('hex');
}

export function featureCacheRoot(dataDir: string): string {
  return path.join(dataDir, 'cache', 'features');
}

export class FeatureCache {
  constructor(readonly root: string) {}

  dirFor(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`bad feature cache key ${key}`);
    return path.join(this.root, key.slice(0, 2), key);
  }

  /** The cached bag, or null when absent or damaged (a damaged bag is removed). */
  lookup(key: string, expectedDim: number): Bag | null {
    const dir = this.dirFor(key);
    if (!fs.existsSync(dir)) return null;
    try {
      return readBag(dir, { expectedDim, verifyHash: true });
    } catch {
      fs.rmSync(dir, { recursive: true, force: true });
      return null;
    }
  }

  writer(key: string, featureDim: number): BagWriter {
    return BagWriter.create(this.dirFor(key), featureDim);
  }

  /** Total bytes of the cache (for the settings screen and clean-up). */
  sizeBytes(): number {
    let total = 0;
    const walk = (d: string) => {
      for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else total += fs.statSync(p).size;
      }
    };
    walk(this.root);
    return total;
  }

  remove(key: string): void {
    fs.rmSync(this.dirFor(key), { recursive: true, force: true });
  }
}
