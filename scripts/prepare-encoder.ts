/**
 * Dist-time step (issue 13.1): the tile encoder every installer carries, in <out>/<id>.onnx, verified against its
 * pinned sha256 — run by scripts/dist.mjs before the build (so the build manifest lists it) as
 *   node --import tsx scripts/prepare-encoder.ts --out dist/encoders
 * Source, in order: GLIOFUSE_ENCODER_SOURCE (a local copy of the upstream ONNX Model Zoo file, or of the derived
 * graph — for build machines without access to github.com), else a download of the pinned upstream URL. The
 * upstream file gets its `features` output exactly as `gliofuse encoder fetch` adds it. No source → one line on
 * stderr, exit 1: an installer without its encoder would ask clinics for a network they do not have.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { KNOWN_ENCODERS, encoderFileName } from '../src/main/analysis/encoder-store.ts';
import { prepareEncoderBytes } from '../src/main/analysis/encoder-install.ts';

export const ENCODER_SOURCE_ENV = 'GLIOFUSE_ENCODER_SOURCE';

async function download(url: string, dest: string, timeoutMs: number): Promise<void> {
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  fs.writeFileSync(dest, Buffer.from(await res.arrayBuffer()));
}

export async function prepareBundledEncoder(out: string, env: NodeJS.ProcessEnv = process.env): Promise<{ id: string; file: string; sha256: string; from: string }> {
  const id = Object.keys(KNOWN_ENCODERS)[0] ?? '';
  const known = KNOWN_ENCODERS[id];
  if (!known) throw new Error('no known tile encoder');
  let source = env[ENCODER_SOURCE_ENV] ? path.resolve(env[ENCODER_SOURCE_ENV] as string) : null;
  let tmp: string | null = null;
  if (source && !fs.existsSync(source)) throw new Error(`${ENCODER_SOURCE_ENV} names ${source}, which does not exist.`);
  if (!source) {
    tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-encoder-')), 'upstream.onnx');
    try {
      await download(known.upstreamUrl, tmp, Number(env.GLIOFUSE_ENCODER_DOWNLOAD_TIMEOUT_MS) || 60_000);
    } catch (e) {
      throw new Error(`The tile encoder for the installer could not be obtained: downloading ${known.upstreamUrl} failed (${e instanceof Error ? e.message : String(e)}) and ${ENCODER_SOURCE_ENV} is not set; set it to a local copy of mobilenetv2-12-int8.onnx (sha256 ${known.upstreamSha256}).`);
    }
    source = tmp;
  }
  try {
    const p = prepareEncoderBytes(id, source);
    fs.mkdirSync(out, { recursive: true });
    const file = path.join(out, encoderFileName(id));
    const part = `${file}.part-${process.pid}`;
    fs.writeFileSync(part, p.bytes);
    fs.renameSync(part, file);
    const check = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    if (check !== p.sha256) throw new Error(`${file} does not read back with the sha256 just written`);
    return { id, file, sha256: p.sha256, from: tmp ? known.upstreamUrl : `${source} (${p.given})` };
  } finally {
    if (tmp) fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const i = process.argv.indexOf('--out');
  const out = path.resolve(i > 0 && process.argv[i + 1] ? process.argv[i + 1] as string : path.join('dist', 'encoders'));
  prepareBundledEncoder(out).then(
    (r) => process.stdout.write(`tile encoder ${r.id}: ${r.file} (sha256 ${r.sha256}) from ${r.from}\n`),
    (e: unknown) => {
      process.stderr.write(`prepare-encoder: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}\n`);
      process.exitCode = 1;
    },
  );
}
