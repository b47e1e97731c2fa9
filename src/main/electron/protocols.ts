/**
 * app:// serves the built renderer, wsi:// serves slide tiles; both are privileged standard schemes registered
 * before `ready`. Files are read with fs (Electron's fs reads inside app.asar), never through file://, so the
 * GrantFileProtocolExtraPrivileges fuse can stay off.
 */
import fs from 'node:fs/promises';
import { protocol, type Session } from 'electron';
import { APP_SCHEME, WSI_SCHEME, appResponseHeaders, tileResponseHeaders } from './security-policy.ts';
import { resolveAppRequest } from './app-protocol.ts';
import { parseTileUrl } from './wsi-url.ts';
import { toErrorShape } from '../../shared/errors.ts';

/** Must run before app 'ready' (Electron only accepts scheme privileges then). */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    // standard: real origin (app://gliofuse) so 'self' in the CSP, relative URLs and storage work;
    // secure: treated like https (no mixed-content downgrade); no service workers, no CSP bypass.
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    // corsEnabled so tiles can be CORS-clean for OpenSeadragon's WebGL drawer (the handler allows app:// only).
    { scheme: WSI_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

export type TileFn = (slideId: number, level: number, col: number, row: number, ctx: { sessionId: string }) => Promise<Buffer>;

export interface ProtocolDeps {
  rendererDir: string;
  /** The slide engine's tile function, if the services provide one. */
  tile: TileFn | undefined;
  /** The router session of the window asking (tiles are served only to a signed-in, unlocked session). */
  tileSession: () => { sessionId: string; signedIn: boolean; locked: boolean } | null;
}

function textResponse(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } });
}

export function handleProtocols(ses: Session, deps: ProtocolDeps): void {
  ses.protocol.handle(APP_SCHEME, async (request) => {
    const r = resolveAppRequest(request.url, deps.rendererDir, request.method);
    if (r.kind === 'error') return textResponse(r.status, r.message);
    let body: Buffer;
    try {
      body = await fs.readFile(r.file);
    } catch {
      return textResponse(404, 'Not found.');
    }
    const headers = { ...appResponseHeaders(r.contentType, { immutable: r.immutable }), 'Content-Length': String(body.length) };
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
  });

  ses.protocol.handle(WSI_SCHEME, async (request) => {
    if (request.method !== 'GET') return textResponse(405, 'Only GET is served.');
    const addr = parseTileUrl(request.url);
    if (!addr) return textResponse(404, 'Not a tile address.');
    if (!deps.tile) return textResponse(404, 'Slide tiles are not available in this build.');
    const s = deps.tileSession();
    if (!s || !s.signedIn) return textResponse(401, 'Please sign in first.');
    if (s.locked) return textResponse(403, 'The session is locked after inactivity.');
    try {
      const jpeg = await deps.tile(addr.slideId, addr.level, addr.col, addr.row, { sessionId: s.sessionId });
      return new Response(new Uint8Array(jpeg), { status: 200, headers: { ...tileResponseHeaders(), 'Content-Length': String(jpeg.length) } });
    } catch (err) {
      const shape = toErrorShape(err);
      const status = shape.code === 'NOT_FOUND' ? 404 : shape.code === 'BAD_INPUT' || shape.code === 'UNSUPPORTED' ? 400 : 500;
      if (status === 500) console.error('[wsi] tile failed:', err);
      return textResponse(status, shape.message);
    }
  });
}
