/**
 * Where the tile encoder file comes from and how it is trusted (docs/pipeline.md, "Tile encoder").
 *
 * The encoder is not committed or bundled. Resolution order:
 *   1. a file inside the model package (tileEncoder.file; verified with the package),
 *   2. an explicit path (option, or GLIOFUSE_ENCODER_PATH — tests, the demo and the benchmark point it at
 *      ../shared/data/models/mobilenetv2-12-int8-with-features.onnx),
 *   3. <dataDir>/encoders/<encoder id>.onnx, written by `gliofuse encoder fetch`, which downloads the upstream
 *      ONNX Model Zoo file, checks its pinned sha256, adds the `features` output (onnx-surgery.ts) and stores it.
 * A file is accepted only if its sha256 is the manifest's tileEncoder.sha256, or — for an encoder this app knows
 * how to derive — one of the pinned hashes of the same derived graph (the ../shared DERIVED file written by the
 * Python onnx library, and the byte layout this app's own derivation writes; both are the upstream file plus the
 * same single DequantizeLinear node, and give identical features).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { GliofuseError, badInput } from '../../shared/errors.ts';
import type { ModelManifest } from '../../shared/model-manifest.ts';
import { sha256File } from '../inference/model-packages.ts';
import { addDequantizedOutput, type DequantizeOutputEdit } from './onnx-surgery.ts';

export const ENCODER_PATH_ENV = 'GLIOFUSE_ENCODER_PATH';

export interface KnownEncoder {
  upstreamUrl: string;
  upstreamSha256: string;
  upstreamBytes: number;
  derive: DequantizeOutputEdit;
  /** sha256 values of files that hold exactly this derived graph. */
  equivalentSha256: string[];
}

export const KNOWN_ENCODERS: Readonly<Record<string, KnownEncoder>> = {
  'mobilenetv2-12-int8-features': {
    upstreamUrl: 'https://github.com/onnx/models/raw/main/validated/vision/classification/mobilenet/model/mobilenetv2-12-int8.onnx',
    upstreamSha256: 'cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f',
    upstreamBytes: 3_655_033,
    derive: { tensor: '472_quantized', scale: '464_scale', zeroPoint: '464_zero_point', output: 'features', nodeName: 'features_dequant', batchDim: 'batch_size', dims: [1280] },
    equivalentSha256: [
      // ../shared/data/models/mobilenetv2-12-int8-with-features.onnx (Python onnx serialisation)
      'e8104ca0237517c74501aba176f2a46593dc3bf6717613e78dd4a001177143a2',
      // addDequantizedOutput(upstream) — what `gliofuse encoder fetch` writes
      '550494695d96d9815ab984c2218faf6f42c67d0412d6a660c5f78866d9473565',
    ],
  },
};

export type TileEncoderSpec = ModelManifest['tileEncoder'];

export interface ResolvedEncoder {
  path: string;
  sha256: string;
  source: 'package' | 'explicit' | 'data-folder' | 'bundled';
}

export function encoderFolder(dataDir: string): string {
  return path.join(dataDir, 'encoders');
}

export function encoderFileName(id: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(id) || id.startsWith('.')) throw badInput(`tile encoder id "${id.slice(0, 60)}" cannot name a file.`);
  return `${id}.onnx`;
}

/** True when a file with this sha256 may serve as the manifest's encoder. */
export function acceptsEncoderHash(te: Pick<TileEncoderSpec, 'id' | 'sha256'>, sha256: string): boolean {
  if (sha256 === te.sha256) return true;
  const known = KNOWN_ENCODERS[te.id];
  return Boolean(known && known.equivalentSha256.includes(te.sha256) && known.equivalentSha256.includes(sha256));
}

/** Finds and verifies the encoder file for a package; NOT_FOUND with what to do when it is not installed. */
export async function resolveEncoder(te: TileEncoderSpec, opts: { dataDir: string; packageDir?: string; explicitPath?: string | undefined; resourcesDir?: string | undefined }): Promise<ResolvedEncoder> {
  const candidates: { path: string; source: ResolvedEncoder['source'] }[] = [];
  if (te.file && opts.packageDir) candidates.push({ path: path.join(opts.packageDir, ...te.file.split('/')), source: 'package' });
  const explicit = opts.explicitPath ?? process.env[ENCODER_PATH_ENV];
  if (explicit) candidates.push({ path: path.resolve(explicit), source: 'explicit' });
  candidates.push({ path: path.join(encoderFolder(opts.dataDir), encoderFileName(te.id)), source: 'data-folder' });
  // The copy the installer ships (issue 13.1; listed in the build manifest): <resources>/encoders/<id>.onnx.
  if (opts.resourcesDir) candidates.push({ path: path.join(opts.resourcesDir, 'encoders', encoderFileName(te.id)), source: 'bundled' });
  for (const c of candidates) {
    if (!fs.existsSync(c.path)) {
      if (c.source === 'explicit') throw badInput(`The tile encoder file given (${ENCODER_PATH_ENV} or --encoder) does not exist: ${c.path}.`);
      continue;
    }
    const sha = await sha256File(c.path);
    if (!acceptsEncoderHash(te, sha)) {
      throw new GliofuseError('INTEGRITY', `The tile encoder file ${c.path} has sha256 ${sha.slice(0, 12)}…, not the ${te.id} encoder the model expects (${te.sha256.slice(0, 12)}…); run "gliofuse encoder fetch" to reinstall it.`);
    }
    return { path: c.path, sha256: sha, source: c.source };
  }
  throw new GliofuseError('NOT_FOUND', `The tile encoder ${te.id} is not installed; install it on the Models page ("Install encoder from file…"), run "gliofuse encoder fetch" once (downloads ${te.upstreamUrl ?? 'it'}) or set ${ENCODER_PATH_ENV} to the file.`);
}

export interface FetchResult {
  path: string;
  sha256: string;
  upstreamSha256: string;
  bytes: number;
  downloaded: boolean;
}

const MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024;

/** Streams a URL (http, https or file) to a file while hashing it; refuses anything over MAX_DOWNLOAD_BYTES. */
async function download(url: string, dest: string): Promise<{ sha256: string; bytes: number }> {
  const h = crypto.createHash('sha256');
  let bytes = 0;
  const out = fs.createWriteStream(dest);
  try {
    let body: AsyncIterable<Uint8Array>;
    if (url.startsWith('file:')) body = fs.createReadStream(new URL(url));
    else {
      let res: Response;
      try {
        res = await fetch(url, { redirect: 'follow' });
      } catch (e) {
        throw new GliofuseError('NOT_FOUND', `Could not download ${url} (${e instanceof Error ? e.message : 'network error'}); check the internet connection or copy the file and set ${ENCODER_PATH_ENV}.`);
      }
      if (!res.ok || !res.body) throw new GliofuseError('NOT_FOUND', `Downloading ${url} failed with HTTP ${res.status}.`);
      body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    }
    for await (const chunk of body) {
      bytes += chunk.length;
      if (bytes > MAX_DOWNLOAD_BYTES) throw new GliofuseError('INTEGRITY', `${url} is larger than any tile encoder should be; download refused.`);
      h.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  } finally {
    await new Promise<void>((r) => out.end(() => r()));
  }
  return { sha256: h.digest('hex'), bytes };
}

/**
 * The set-up step: downloads the upstream file of a known encoder, checks its pinned sha256, derives the
 * features graph and stores it in <dataDir>/encoders (atomically). `url` overrides the upstream location
 * (a mirror, or a local copy: file:///…). Already installed and valid → nothing is downloaded.
 */
export async function fetchEncoder(id: string, opts: { dataDir: string; url?: string; force?: boolean }): Promise<FetchResult> {
  const known = KNOWN_ENCODERS[id];
  if (!known) throw badInput(`Gliofuse does not know how to fetch the tile encoder "${id}" (known: ${Object.keys(KNOWN_ENCODERS).join(', ')}).`);
  const dir = encoderFolder(opts.dataDir);
  const final = path.join(dir, encoderFileName(id));
  if (!opts.force && fs.existsSync(final)) {
    const sha = await sha256File(final);
    if (known.equivalentSha256.includes(sha)) return { path: final, sha256: sha, upstreamSha256: known.upstreamSha256, bytes: fs.statSync(final).size, downloaded: false };
  }
  await fsp.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${id}.download-${process.pid}`);
  try {
    const got = await download(opts.url ?? known.upstreamUrl, tmp);
    if (got.sha256 !== known.upstreamSha256) {
      throw new GliofuseError('INTEGRITY', `The downloaded file has sha256 ${got.sha256.slice(0, 12)}… but the ${id} upstream file is ${known.upstreamSha256.slice(0, 12)}…; it was not installed.`);
    }
    const derived = addDequantizedOutput(await fsp.readFile(tmp), known.derive);
    const sha = crypto.createHash('sha256').update(derived).digest('hex');
    if (!known.equivalentSha256.includes(sha)) throw new GliofuseError('INTEGRITY', `Deriving the ${id} features graph gave an unexpected file (sha256 ${sha.slice(0, 12)}…); it was not installed.`);
    const tmpDerived = `${tmp}.derived`;
    await fsp.writeFile(tmpDerived, derived);
    await fsp.rename(tmpDerived, final);
    return { path: final, sha256: sha, upstreamSha256: got.sha256, bytes: derived.length, downloaded: true };
  } finally {
    await fsp.rm(tmp, { force: true });
    await fsp.rm(`${tmp}.derived`, { force: true });
  }
}
