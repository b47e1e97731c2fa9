/**
 * Which file of the tile encoder runs: the pinned int8 file on the CPU, its float derivation (encoder-float.ts) on
 * a GPU provider (docs/inference.md, "Float tile encoder"). The float file is derived from the verified int8 file
 * the first time a GPU provider needs it, checked against its pinned sha256 and stored beside the int8 file in
 * <dataDir>/encoders (written to a temporary name and renamed, so a half-written file is never used).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { GliofuseError } from '../../shared/errors.ts';
import { sha256File } from '../inference/model-packages.ts';
import { deriveFloatEncoder } from './encoder-float.ts';
import { KNOWN_ENCODERS, encoderFileName } from './encoder-store.ts';

export type EncoderVariant = 'int8' | 'float32';

/** sha256 of the float file deriveFloatEncoder writes for each known encoder (the same from either int8 file). */
export const FLOAT_ENCODER_SHA256: Readonly<Record<string, string>> = {
  'mobilenetv2-12-int8-features': '6c3320f3fbe7d5d10e09fc713f6054a80147a136854934831d60a0526dbefd6c',
};

export interface EncoderFile {
  path: string;
  sha256: string;
}

export function floatEncoderPath(dir: string, id: string): string {
  return path.join(dir, encoderFileName(id).replace(/\.onnx$/, '.float32.onnx'));
}

/**
 * The float variant of a verified int8 encoder, derived on first use; null (with the reason) when this encoder has
 * no known derivation, so a GPU provider runs the int8 file (its QLinear operators then fall back to the CPU).
 */
export async function ensureFloatEncoder(id: string, int8: EncoderFile, dir: string): Promise<{ file: EncoderFile | null; note: string }> {
  const known = KNOWN_ENCODERS[id];
  const pinned = FLOAT_ENCODER_SHA256[id];
  if (!known || !pinned) return { file: null, note: `No float variant is known for the tile encoder ${id}; the GPU runs the int8 file (its quantised operators run on CPU kernels).` };
  if (int8.sha256 !== known.upstreamSha256 && !known.equivalentSha256.includes(int8.sha256)) {
    return { file: null, note: `The tile encoder file ${path.basename(int8.path)} is not the pinned ${id} file, so no float variant is derived from it; the GPU runs it as it is.` };
  }
  const final = floatEncoderPath(dir, id);
  if (fs.existsSync(final) && (await sha256File(final)) === pinned) return { file: { path: final, sha256: pinned }, note: `Float tile encoder ${path.basename(final)} (derived from the int8 file) used on the GPU provider.` };
  const bytes = deriveFloatEncoder(await fsp.readFile(int8.path), known.derive);
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  if (sha !== pinned) throw new GliofuseError('INTEGRITY', `Deriving the float ${id} encoder gave sha256 ${sha.slice(0, 12)}…, not the pinned ${pinned.slice(0, 12)}…; it was not used.`);
  await fsp.mkdir(dir, { recursive: true });
  const tmp = `${final}.partial-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    await fsp.writeFile(tmp, bytes);
    await fsp.rename(tmp, final);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
  return { file: { path: final, sha256: sha }, note: `Float tile encoder derived from the int8 file into ${path.basename(final)} and used on the GPU provider.` };
}
