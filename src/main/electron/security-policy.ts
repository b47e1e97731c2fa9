/**
 * The Electron shell's security rules as plain data and functions (no electron import), so they are unit-tested
 * in plain Node and the Electron wiring (main.ts, protocols.ts, ipc.ts) only applies them.
 *
 * The app is offline by design: the renderer is served from app://gliofuse, slide tiles from wsi://slide, and
 * every network scheme is cancelled in the session.
 */
import { rendererCsp } from '../../shared/preload-api.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'gliofuse';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;
export const WSI_SCHEME = 'wsi';
export const WSI_HOST = 'slide';

/** Match patterns for session.webRequest.onBeforeRequest: every request to these is cancelled. */
export const BLOCKED_URL_PATTERNS = ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'ftp://*/*'] as const;
const BLOCKED_PROTOCOLS = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:']);

/** The CSP for app:// documents: the renderer's policy plus wsi: as an image source for slide tiles. */
export function appCsp(): string {
  return rendererCsp({ tileSources: [`${WSI_SCHEME}:`] });
}

/** Headers on every app:// response (the CSP is a header, not a <meta>, so it also covers the first byte). */
export function appResponseHeaders(contentType: string, opts: { immutable?: boolean } = {}): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': appCsp(),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=(), bluetooth=()',
    'Cache-Control': opts.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
}

/** Headers on a wsi:// tile: only the app origin may read the pixels (OpenSeadragon's WebGL drawer needs CORS-clean images). */
export function tileResponseHeaders(): Record<string, string> {
  return {
    'Content-Type': 'image/jpeg',
    'Access-Control-Allow-Origin': APP_ORIGIN,
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, max-age=3600',
  };
}

/** True for a URL the session must never fetch (the app is offline by design). */
export function isBlockedNetworkUrl(url: string): boolean {
  try {
    return BLOCKED_PROTOCOLS.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * True only for our own renderer origin. Compared by protocol and host because WHATWG URL gives custom schemes
 * an opaque ("null") origin.
 */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** A window may only (re)load our own entry document; every other navigation is refused. */
export function navigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** What the shell knows about an IPC sender, taken from Electron's event (kept structural for tests). */
export interface SenderInfo {
  webContentsId: number;
  /** event.senderFrame; null when the frame navigated away or was destroyed before the message was handled. */
  frame: { url: string; isMainFrame: boolean } | null;
}

export type SenderVerdict = { ok: true } | { ok: false; reason: string };

/**
 * An IPC message is trusted only when it comes from the main frame of the one app window and that frame shows our
 * app:// document. Subframes, other webContents (devtools, a stray window) and foreign origins are refused.
 */
export function checkSender(sender: SenderInfo, expected: { webContentsId: number | null }): SenderVerdict {
  if (expected.webContentsId === null) return { ok: false, reason: 'no application window is open' };
  if (sender.webContentsId !== expected.webContentsId) return { ok: false, reason: `webContents ${sender.webContentsId} is not the application window` };
  if (!sender.frame) return { ok: false, reason: 'the sending frame is gone' };
  if (!sender.frame.isMainFrame) return { ok: false, reason: 'a subframe sent the message' };
  if (!isAppUrl(sender.frame.url)) return { ok: false, reason: `frame origin ${describeOrigin(sender.frame.url)} is not ${APP_ORIGIN}` };
  return { ok: true };
}

function describeOrigin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`.slice(0, 80);
  } catch {
    return 'unparseable URL';
  }
}

/** Every permission (camera, notifications, clipboard-read, geolocation, ...) is denied; the app needs none. */
export function permissionAllowed(_permission: string): boolean {
  return false;
}

/** BrowserWindow webPreferences that must hold in every build (main.ts spreads these; a test pins them). */
export const HARDENED_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
  safeDialogs: true,
} as const;

/** DevTools only when running from sources (or explicitly asked for there); never in a packaged build. */
export function devToolsAllowed(isPackaged: boolean, env: NodeJS.ProcessEnv): boolean {
  if (isPackaged) return false;
  return env.GLIOFUSE_DEVTOOLS !== '0';
}
