/**
 * app:// URL -> file under the built renderer folder (no electron import; protocols.ts serves the result).
 * The path part is resolved by renderer-files.ts, shared with the bridge (one MIME table, one containment check).
 */
import { APP_HOST, APP_SCHEME } from './security-policy.ts';
import { resolveRendererFile } from '../renderer-files.ts';

export type AppResolution =
  | { kind: 'file'; file: string; contentType: string; immutable: boolean }
  | { kind: 'error'; status: 400 | 403 | 404 | 405; message: string };

export { mimeFor, isInside } from '../renderer-files.ts';

export function resolveAppRequest(url: string, rendererDir: string, method = 'GET'): AppResolution {
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'error', status: 405, message: 'Only GET and HEAD are served.' };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { kind: 'error', status: 400, message: 'Malformed URL.' };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return { kind: 'error', status: 403, message: 'Unknown app host.' };
  return resolveRendererFile(u.pathname, rendererDir);
}
