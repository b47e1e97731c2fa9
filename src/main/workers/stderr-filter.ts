/**
 * A worker's stderr passes through the host line by line, minus the noise native libraries print for crafted or
 * damaged files (libtiff's default handlers write "TIFFReadDirectory: Warning, …" straight to fd 2): the user
 * gets the one-line message the worker returns, not raw library lines before it (issue 12 §3). Everything else
 * (a crash report, an unexpected diagnostic) still reaches the operator. GLIOFUSE_WORKER_STDERR=all keeps every line.
 */
import type { Readable } from 'node:stream';

/** libtiff's "<module>: [Warning, ]message" lines (module = a libtiff function or codec) and GLib's logging. */
const NOISE: readonly RegExp[] = [
  /^_?TIFF\w*: /,
  /^(OJPEG|JPEG|LZW|ZIP|LZMA|ZSTD|WEBP|Fax\w*|PixarLog|NeXT|ThunderScan|Predictor\w*|DumpMode|PackBits|LogLuv|SGILog|Deflate|JBIG)\w*: /,
  /^[^\n]{0,200}: Warning, /,
  /^\(process:\d+\): (GLib|GLib-GObject|OpenSlide)[\w-]*-(WARNING|CRITICAL|Message)/,
];

export function isLibraryNoise(line: string): boolean {
  return NOISE.some((re) => re.test(line));
}

/** Forwards `src` to `dest` line by line, dropping library noise. */
export function filterWorkerStderr(src: Readable, dest: { write(s: string): unknown }, env: NodeJS.ProcessEnv = process.env): void {
  const keepAll = env.GLIOFUSE_WORKER_STDERR === 'all';
  let pending = '';
  src.setEncoding('utf8');
  src.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) if (keepAll || !isLibraryNoise(l)) dest.write(`${l}\n`);
  });
  src.on('end', () => {
    if (pending && (keepAll || !isLibraryNoise(pending))) dest.write(pending);
  });
  src.on('error', () => undefined);
}
