/**
 * app:// URL -> file under the built renderer folder (no electron import; protocols.ts serves the result).
 * Containment is the point: whatever the URL says (%2e%2e, backslashes, NUL, absolute paths), only files inside
 * rendererDir can be answered, so a compromised page cannot read the database or the user's files through app://.
 */
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './security-policy.ts';

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

export type AppResolution =
  | { kind: 'file'; file: string; contentType: string; immutable: boolean }
  | { kind: 'error'; status: 400 | 403 | 404 | 405; message: string };

export function mimeFor(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** True when `file` is rendererDir itself or lies beneath it (lexically, after resolution). */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function resolveAppRequest(url: string, rendererDir: string, method = 'GET'): AppResolution {
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'error', status: 405, message: 'Only GET and HEAD are served.' };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { kind: 'error', status: 400, message: 'Malformed URL.' };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return { kind: 'error', status: 403, message: 'Unknown app host.' };
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
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
  return { kind: 'file', file, contentType: mimeFor(file), immutable: relPosix.startsWith('assets/') };
}
