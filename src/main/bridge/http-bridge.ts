/**
 * The loopback test/dev bridge: serves the built renderer and the same contract over HTTP on 127.0.0.1 so the
 * real UI runs in a plain Chromium (`npm run dev:web`, Playwright). It is a third shell next to Electron and the
 * CLI: every call goes through the shared Router (same validation, same role checks, same audit).
 *
 * Who may use it: only a page that knows the per-launch token. The token travels in the URL fragment the launcher
 * prints (`/#token=...`), which browsers never send to servers, so serving index.html reveals nothing. Then:
 * - every API/event/tile request must carry the token (header, or query for <img>/EventSource which cannot set
 *   headers) and a session id this bridge issued (one server-side session per browser tab, like one per window);
 * - the Host header must be our loopback address and port (defeats DNS rebinding);
 * - a present Origin must be our own origin and Sec-Fetch-Site must be same-origin/none (a random local web page
 *   cannot ride along), API bodies must be application/json (no CORS-simple form posts), and no CORS headers are
 *   ever sent (preflights fail);
 * - bodies are limited in size.
 * Requests that fail these checks are refused here and never reach the router: an unauthenticated page must not
 * be able to write into the audit log.
 */
import { CONTRACT_FINGERPRINT } from '../../shared/contract/fingerprint.ts';
import { resolveRendererFile } from '../renderer-files.ts';
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { appRoot } from '../paths.ts';
import { rendererCsp, type AppEvent } from '../../shared/preload-api.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import type { Services } from '../services.ts';

/** What the bridge needs from the services (the router does all the real work). */
export type BridgeServices = Pick<Services, 'router' | 'sessions'> & {
  /** Deep-zoom tile as JPEG bytes (the slide engine); absent until the slide service is wired. */
  slideTile?: (slideId: number, level: number, col: number, row: number, ctx: { sessionId: string }) => Promise<Buffer>;
  /** Pushed events (job progress, ...); returns the unsubscribe function. */
  onEvent?: (cb: (event: AppEvent) => void) => () => void;
};

/** The services' event feed (absent in tests that start the bridge over a partial set of services). */
function eventFeed(services: BridgeServices): ((cb: (event: AppEvent) => void) => () => void) | undefined {
  return services.onEvent?.bind(services);
}

export interface BridgeOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** The built renderer (index.html + assets). Default: <repo>/dist/renderer or GLIOFUSE_RENDERER_DIR. */
  rendererDir?: string;
  /** Fixed token for tests that need one; default: 32 random bytes per launch. */
  token?: string;
  /** Largest accepted request body. */
  maxBodyBytes?: number;
}

export interface Bridge {
  /** Origin, e.g. http://127.0.0.1:41234 */
  origin: string;
  port: number;
  token: string;
  /** What to open in a browser: the origin with the token in the fragment. */
  launchUrl: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const DEFAULT_MAX_BODY = 1024 * 1024;
const SESSION_HEADER = 'x-gliofuse-session';
const CONTRACT_HEADER = 'x-gliofuse-contract';

class Refusal extends Error {
  constructor(readonly status: number, readonly code: ErrorCode, message: string) {
    super(message);
  }
}

export function defaultRendererDir(): string {
  return process.env.GLIOFUSE_RENDERER_DIR ? path.resolve(process.env.GLIOFUSE_RENDERER_DIR) : path.join(appRoot(), 'dist', 'renderer');
}

/** Constant-time comparison that does not leak the token's length through early exit. */
function sameSecret(given: string | null | undefined, expected: string): boolean {
  if (!given) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export async function startBridge(services: BridgeServices, opts: BridgeOptions = {}): Promise<Bridge> {
  const rendererDir = path.resolve(opts.rendererDir ?? defaultRendererDir());
  const token = opts.token ?? crypto.randomBytes(32).toString('base64url');
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const csp = rendererCsp();
  /** Session ids this bridge issued; anything else is refused. */
  const issued = new Set<string>();
  // Event streams by the bridge session of the tab that opened them: events go only to signed-in, unlocked sessions.
  const eventClients = new Map<http.ServerResponse, string>();
  let port = 0;

  const securityHeaders = (res: http.ServerResponse) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()');
  };

  const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
    const data = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': data.length, 'Cache-Control': 'no-store' });
    res.end(data);
  };
  const refuse = (res: http.ServerResponse, r: Refusal) => sendJson(res, r.status, { ok: false, error: { code: r.code, message: r.message } });

  const checkHostAndOrigin = (req: http.IncomingMessage) => {
    const host = req.headers.host ?? '';
    if (host !== `${HOST}:${port}` && host !== `localhost:${port}`) throw new Refusal(421, 'FORBIDDEN', 'This server only answers requests addressed to its loopback address.');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) throw new Refusal(403, 'FORBIDDEN', 'Cross-origin requests are refused.');
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new Refusal(403, 'FORBIDDEN', 'Cross-site requests are refused.');
  };

  /** Token from the Authorization header, or from ?token= for <img> and EventSource requests. */
  const checkToken = (req: http.IncomingMessage, url: URL) => {
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7) : url.searchParams.get('token');
    if (!sameSecret(given, token)) throw new Refusal(401, 'UNAUTHENTICATED', 'Missing or wrong bridge token; open the URL printed by `npm run dev:web`.');
  };

  const sessionOf = (req: http.IncomingMessage, url: URL): string => {
    const header = req.headers[SESSION_HEADER];
    const sid = typeof header === 'string' ? header : url.searchParams.get('session');
    if (!sid || !issued.has(sid)) throw new Refusal(401, 'UNAUTHENTICATED', 'Unknown bridge session; reload the page to start a new one.');
    return sid;
  };

  /**
   * A page states the contract fingerprint it was built with (session body, then a header on every call); a page of
   * another build is refused before it sends payloads this router would read differently. Callers that do not
   * state one (scripts and tests built from these sources) are not checked.
   */
  const checkContract = (theirs: unknown) => {
    if (theirs === undefined) return;
    if (theirs !== CONTRACT_FINGERPRINT) {
      throw new Refusal(409, 'BAD_INPUT', `This page comes from another Gliofuse build (interface ${String(theirs).slice(0, 32)}; this app ${CONTRACT_FINGERPRINT}). Reload the page.`);
    }
  };

  const readJsonBody = async (req: http.IncomingMessage): Promise<unknown> => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') throw new Refusal(415, 'BAD_INPUT', 'Requests must be JSON (Content-Type: application/json).');
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > maxBody) throw new Refusal(413, 'BAD_INPUT', `Request body is larger than ${maxBody} bytes.`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBody) throw new Refusal(413, 'BAD_INPUT', `Request body is larger than ${maxBody} bytes.`);
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Refusal(400, 'BAD_INPUT', 'The request body is not valid JSON.');
    }
  };

  const serveStatic = (res: http.ServerResponse, pathname: string) => {
    const r = resolveRendererFile(pathname, rendererDir);
    if (r.kind === 'error') throw new Refusal(r.status, r.status === 400 ? 'BAD_INPUT' : 'NOT_FOUND', r.message);
    let data: Buffer;
    try {
      data = fs.readFileSync(r.file);
    } catch {
      if (r.file === path.join(path.resolve(rendererDir), 'index.html')) throw new Refusal(503, 'NOT_FOUND', `The renderer is not built (${rendererDir}); run \`npm run build\` first.`);
      throw new Refusal(404, 'NOT_FOUND', 'Not found.');
    }
    const type = r.contentType;
    const cache = r.immutable ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': data.length, 'Cache-Control': cache });
    res.end(data);
  };

  const handleApi = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, channel: string) => {
    if (req.method !== 'POST') throw new Refusal(405, 'BAD_INPUT', 'Use POST for API calls.');
    checkToken(req, url);
    const sessionId = sessionOf(req, url);
    checkContract(req.headers[CONTRACT_HEADER]);
    const payload = await readJsonBody(req);
    const envelope = await services.router.call(channel, payload, { transport: 'bridge', sessionId, senderOk: true, senderDescription: 'bridge page with token' });
    // 200 = the router answered (its envelope says ok or which error); 4xx/5xx = the bridge itself refused or failed.
    // Keeping the two apart means a wrong password is not logged by the browser as a failed resource load.
    sendJson(res, 200, envelope);
  };

  const handleSession = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    if (req.method === 'POST') {
      checkToken(req, url);
      const body = await readJsonBody(req);
      checkContract(body && typeof body === 'object' ? (body as { contract?: unknown }).contract : undefined);
      const sid = crypto.randomBytes(24).toString('base64url');
      services.sessions.create(sid);
      issued.add(sid);
      sendJson(res, 200, { ok: true, value: { sessionId: sid } });
      return;
    }
    if (req.method === 'DELETE') {
      checkToken(req, url);
      const sid = sessionOf(req, url);
      issued.delete(sid);
      services.sessions.drop(sid);
      sendJson(res, 200, { ok: true, value: { ok: true } });
      return;
    }
    throw new Refusal(405, 'BAD_INPUT', 'Use POST to open a session.');
  };

  const handleEvents = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    if (req.method !== 'GET') throw new Refusal(405, 'BAD_INPUT', 'Use GET for the event stream.');
    checkToken(req, url);
    const sid = sessionOf(req, url);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    // A comment line opens the stream at once so EventSource reports "open" even before the first event.
    res.write(': connected\n\n');
    eventClients.set(res, sid);
    req.on('close', () => eventClients.delete(res));
  };

  const handleTile = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, m: RegExpMatchArray) => {
    if (req.method !== 'GET') throw new Refusal(405, 'BAD_INPUT', 'Use GET for tiles.');
    checkToken(req, url);
    const sessionId = sessionOf(req, url);
    if (!services.slideTile) throw new Refusal(404, 'NOT_FOUND', 'Slide tiles are not available in this build.');
    const session = services.sessions.check(sessionId);
    if (!session.actor) throw new Refusal(401, 'UNAUTHENTICATED', 'Please sign in first.');
    if (session.locked) throw new Refusal(403, 'LOCKED', 'The session is locked after inactivity.');
    const [slideId, level, col, row] = [m[1], m[2], m[3], m[4]].map((s) => Number(s));
    const jpeg = await services.slideTile(slideId!, level!, col!, row!, { sessionId });
    res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length, 'Cache-Control': 'private, max-age=3600' });
    res.end(jpeg);
  };

  const server = http.createServer((req, res) => {
    securityHeaders(res);
    void (async () => {
      try {
        checkHostAndOrigin(req);
        const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
        const p = url.pathname;
        if (req.method === 'OPTIONS') throw new Refusal(403, 'FORBIDDEN', 'Cross-origin requests are refused.');
        if (p.startsWith('/api/')) return await handleApi(req, res, url, p.slice(5));
        if (p === '/session') return await handleSession(req, res, url);
        if (p === '/events') return handleEvents(req, res, url);
        const tile = /^\/wsi\/(\d{1,9})\/(\d{1,2})\/(\d{1,7})_(\d{1,7})\.jpeg$/.exec(p);
        if (tile) return await handleTile(req, res, url, tile);
        if (p.startsWith('/wsi/')) throw new Refusal(404, 'NOT_FOUND', 'Not a tile address.');
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new Refusal(405, 'BAD_INPUT', 'Method not allowed.');
        return serveStatic(res, p);
      } catch (err) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (err instanceof Refusal) return refuse(res, err);
        const code = err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : 'INTERNAL';
        const known = code === 'NOT_FOUND' || code === 'BAD_INPUT' || code === 'UNSUPPORTED';
        if (!known) console.error('[bridge] request failed:', err);
        const message = known && err instanceof Error ? err.message : 'An internal error occurred; the operation was not completed.';
        return sendJson(res, known ? (code === 'NOT_FOUND' ? 404 : 400) : 500, { ok: false, error: { code: known ? code : 'INTERNAL', message } });
      }
    })();
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;

  const unsubscribe = eventFeed(services)?.((event) => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    // Job progress names cases and models: a tab that is signed out or locked gets nothing (check() applies the
    // idle rule without counting the event as activity).
    for (const [client, sid] of eventClients) {
      const session = services.sessions.check(sid);
      if (session.actor && !session.locked) client.write(line);
    }
  });
  // Keeps idle SSE connections from being closed by intermediaries and notices dead clients.
  const heartbeat = setInterval(() => {
    for (const client of eventClients.keys()) client.write(': ping\n\n');
  }, 25_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${HOST}:${port}`;

  return {
    origin,
    port,
    token,
    launchUrl: `${origin}/#token=${token}`,
    async close() {
      clearInterval(heartbeat);
      unsubscribe?.();
      for (const client of eventClients.keys()) client.end();
      eventClients.clear();
      for (const sid of issued) services.sessions.drop(sid);
      issued.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
