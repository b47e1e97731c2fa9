/**
 * The agreement between the renderer and whatever hosts it.
 *
 * - In Electron, src/main/electron/preload.ts exposes an object of type `GliofusePreloadApi` as
 *   `window.gliofuse` through contextBridge (only these functions; no ipcRenderer, no Node).
 * - In a plain browser (the loopback bridge: `npm run dev:web`, Playwright), `window.gliofuse` is absent and the
 *   renderer talks HTTP to the bridge instead (src/renderer/api.ts), with the same envelopes and the same events.
 *
 * Both hosts serve the renderer with the same Content-Security-Policy (`rendererCsp`), so a renderer change that
 * works in the browser also works in the app.
 */
import type { Channel, Envelope, RequestOf, ResponseOf } from './contract/index.ts';

/** The global name the preload exposes (`window.gliofuse`). */
export const PRELOAD_GLOBAL = 'gliofuse';

/**
 * An event pushed from the main process to the renderer (job progress, a session locked by the server, ...).
 * `topic` names what happened; `data` is validated by the consumer against the contract schema for that topic,
 * because events cross a process boundary just like channel responses do.
 */
export interface AppEvent {
  topic: string;
  /** ISO 8601 UTC time the main process emitted the event. */
  at: string;
  data: unknown;
}

/**
 * Analysis job progress: topic ANALYSIS_EVENT_TOPIC ('analysis.progress'), `data` validated with the
 * AnalysisProgressEvent schema of contract/analysis.ts (id, caseId, state, stage, progress {stage, done, total,
 * etaSeconds, cached?}, error). Emitted by the job manager (services.analysis.events 'progress') on every state,
 * stage or count change; the Electron shell and the bridge forward it. Type-only here so the preload bundle stays
 * free of the contract's schemas.
 */
export type { AnalysisProgressEvent } from './contract/analysis.ts';

export interface GliofusePreloadApi {
  /** Calls one contract channel; never rejects for service errors — those come back as `{ ok: false, error }`. */
  invoke<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Envelope<ResponseOf<C>>>;
  /**
   * URL of one deep-zoom tile (JPEG) for <img>/OpenSeadragon. `level` is the Deep Zoom level (0 = 1×1 px),
   * `col`/`row` the tile position at that level; the host's protocol handler checks the session before serving.
   */
  tileUrl(slideId: number, level: number, col: number, row: number): string;
  /** Subscribes to pushed events; returns the function that unsubscribes. */
  onEvent(cb: (event: AppEvent) => void): () => void;
}

/**
 * The renderer's Content-Security-Policy, identical for Electron's app:// scheme and the bridge's http origin.
 * `tileSources` lists extra origins images may load from (Electron: 'wsi:'; the bridge serves tiles from 'self').
 * No inline script, no inline style (except an empty marker element), no eval, no remote connections, no framing,
 * no plugins.
 */
/** sha256 of the empty string, base64 (CSP hash source). */
export const EMPTY_STYLE_HASH = 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

export function rendererCsp(opts: { tileSources?: readonly string[] } = {}): string {
  const img = ["'self'", 'data:', 'blob:', ...(opts.tileSources ?? [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    // The one inline style allowed is an EMPTY <style> element (sha256 of ""): the renderer adds it as the marker
    // that stops OpenSeadragon from injecting CSS that would hide the focus ring on touch screens.
    `style-src 'self' '${EMPTY_STYLE_HASH}'`,
    `img-src ${img}`,
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
