/**
 * The tile encoder without a network (issue 13.1): the copy the installer ships (`<resources>/encoders/`, written
 * at dist time by scripts/prepare-encoder.ts and listed in the build manifest), a copy installed from a file the
 * user chooses (the Models page, `encoder.install`), and one status for the Models page and `encoder status`.
 *
 * A file is installed only if it is the pinned upstream ONNX Model Zoo file (its `features` output is then added
 * exactly as `gliofuse encoder fetch` does) or already one of the pinned derived graphs; anything else is refused
 * with one message naming what was expected. The install is atomic (temporary name, rename).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { GliofuseError, badInput } from '../../shared/errors.ts';
import { KNOWN_ENCODERS, encoderFileName, encoderFolder } from './encoder-store.ts';
import { addDequantizedOutput } from './onnx-surgery.ts';

/** What the Models page and `encoder status` show about a known encoder. */
export const ENCODER_INFO: Readonly<Record<string, { name: string; version: string; licence: string; source: string }>> = {
  'mobilenetv2-12-int8-features': {
    name: 'MobileNetV2 1.0 int8 (ImageNet), features output',
    version: 'ONNX Model Zoo mobilenetv2-12-int8 (opset 12)',
    licence: 'Apache-2.0',
    source: 'ONNX Model Zoo (github.com/onnx/models), validated/vision/classification/mobilenet',
  },
};

/** The shipped copy inside an installed app's resources folder. */
export function bundledEncoderPath(resourcesDir: string | undefined, id: string): string | null {
  return resourcesDir ? path.join(resourcesDir, 'encoders', encoderFileName(id)) : null;
}

const MAX_ENCODER_BYTES = 512 * 1024 * 1024;

function sha256(buf: Buffer): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

export interface PreparedEncoder {
  /** The derived graph the app runs (features output added). */
  bytes: Buffer;
  sha256: string;
  /** What the given file was. */
  given: 'upstream' | 'derived';
  givenSha256: string;
}

/**
 * Checks a candidate encoder file and returns the graph to install. Refuses (INTEGRITY, one line) a file that is
 * neither the pinned upstream file nor a pinned derived graph.
 */
export function prepareEncoderBytes(id: string, file: string): PreparedEncoder {
  const known = KNOWN_ENCODERS[id];
  if (!known) throw badInput(`Gliofuse does not know the tile encoder "${id}" (known: ${Object.keys(KNOWN_ENCODERS).join(', ')}).`);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw badInput(`No file at ${file}.`);
  }
  if (!st.isFile()) throw badInput(`${file} is not a file; choose the encoder's .onnx file itself.`);
  if (st.size > MAX_ENCODER_BYTES) throw new GliofuseError('INTEGRITY', `${path.basename(file)} (${st.size} bytes) is not the ${id} tile encoder (the upstream file is ${known.upstreamBytes} bytes); nothing was installed.`);
  const given = fs.readFileSync(file);
  const givenSha256 = sha256(given);
  if (known.equivalentSha256.includes(givenSha256)) return { bytes: given, sha256: givenSha256, given: 'derived', givenSha256 };
  if (givenSha256 !== known.upstreamSha256) {
    throw new GliofuseError('INTEGRITY', `${path.basename(file)} is not the ${id} tile encoder: its sha256 is ${givenSha256.slice(0, 16)}…, expected the ONNX Model Zoo mobilenetv2-12-int8.onnx (${known.upstreamSha256.slice(0, 16)}…); nothing was installed.`);
  }
  const derived = Buffer.from(addDequantizedOutput(given, known.derive));
  const derivedSha = sha256(derived);
  if (!known.equivalentSha256.includes(derivedSha)) throw new GliofuseError('INTEGRITY', `Deriving the ${id} features graph gave an unexpected file (sha256 ${derivedSha.slice(0, 12)}…); nothing was installed.`);
  return { bytes: derived, sha256: derivedSha, given: 'upstream', givenSha256 };
}

export interface InstalledEncoder {
  id: string;
  path: string;
  sha256: string;
  given: 'upstream' | 'derived';
  givenSha256: string;
  bytes: number;
}

/** Installs a checked encoder file into <dataDir>/encoders (atomically). */
export async function installEncoderFromFile(id: string, file: string, dataDir: string): Promise<InstalledEncoder> {
  const p = prepareEncoderBytes(id, path.resolve(file));
  const dir = encoderFolder(dataDir);
  await fsp.mkdir(dir, { recursive: true });
  const final = path.join(dir, encoderFileName(id));
  const tmp = path.join(dir, `.${id}.install-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  try {
    await fsp.writeFile(tmp, p.bytes);
    await fsp.rename(tmp, final);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
  return { id, path: final, sha256: p.sha256, given: p.given, givenSha256: p.givenSha256, bytes: p.bytes.length };
}
