/**
 * Which built renderer file a request path names, for both shells that serve the renderer: the Electron app://
 * protocol and the loopback bridge. One MIME table and one containment check, so the two cannot drift apart.
 * Containment is the point: whatever the path says (%2e%2e, backslashes, NUL, absolute paths), only files inside
 * rendererDir can be answered, so a compromised page cannot read the database or the user's files.
 */
import path from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function mimeFor(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** True when `file` lies beneath `root` (lexically, after resolution); `root` itself is not inside. */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export type RendererFile =
  | { kind: 'file'; file: string; contentType: string; immutable: boolean }
  | { kind: 'error'; status: 400 | 404; message: string };

/** A URL path (still percent-encoded) → a file inside rendererDir, or why not. "/" is index.html. */
export function resolveRendererFile(urlPath: string, rendererDir: string): RendererFile {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'error', status: 400, message: 'Malformed path.' };
  }
  // Backslashes would be separators on Windows after decoding; NUL truncates paths in C code below us.
  if (rel.includes('\0') || rel.includes('\\')) return { kind: 'error', status: 400, message: 'Malformed path.' };
  if (rel === '' || rel === '/') rel = '/index.html';
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${path.posix.normalize(rel)}`);
  if (!isInside(root, file)) return { kind: 'error', status: 404, message: 'Not found.' };
  const relPosix = path.relative(root, file).split(path.sep).join('/');
  // Source maps exist in development builds only; the app never needs them at run time.
  if (relPosix.endsWith('.map')) return { kind: 'error', status: 404, message: 'Not found.' };
  // Hashed assets may be cached for good; index.html must not be (it names the current assets).
  return { kind: 'file', file, contentType: mimeFor(file), immutable: relPosix.startsWith('assets/') };
}
