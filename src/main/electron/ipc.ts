/**
 * The one IPC entry: `ipcMain.handle(INVOKE_CHANNEL, handler)` with the handler built here. It decides whether the
 * sender is the app window's main frame on app://gliofuse and hands everything to the shared Router with
 * transport 'ipc' — the router parses the payload, checks the session and role, refuses (and audits) an untrusted
 * sender, and answers with an envelope. The handler never throws, so the preload's invoke never rejects for
 * service errors.
 *
 * Electron's event is taken structurally (no electron import) so the whole path, including the router's audit of
 * rejected senders, is tested in plain Node.
 */
import type { Envelope } from '../../shared/contract/index.ts';
import type { CallContext } from '../router.ts';
import { checkSender } from './security-policy.ts';

export const INVOKE_CHANNEL = 'gliofuse:invoke';
export const EVENT_CHANNEL = 'gliofuse:event';

/** The message the preload sends. */
export interface InvokeMessage {
  channel: string;
  payload: unknown;
}

/** The parts of Electron's IpcMainInvokeEvent we read. */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export interface RouterLike {
  call(name: string, payload: unknown, call: CallContext): Promise<Envelope<unknown>>;
}

export interface InvokeDeps {
  router: RouterLike;
  /** The app window's webContents id, or null while no window exists. */
  windowWebContentsId: () => number | null;
}

/** One router session per webContents (one window = one signed-in user; dropped when the window closes). */
export function sessionIdFor(webContentsId: number): string {
  return `ipc:${webContentsId}`;
}

export function createInvokeHandler(deps: InvokeDeps): (event: InvokeEventLike, message: unknown) => Promise<Envelope<unknown>> {
  return async (event, message) => {
    let frame: { url: string; isMainFrame: boolean } | null = null;
    try {
      // Reading senderFrame of a destroyed frame can throw in Electron; treat it as "frame gone".
      const f = event.senderFrame;
      frame = f ? { url: String(f.url), isMainFrame: f.parent === null } : null;
    } catch {
      frame = null;
    }
    const verdict = checkSender({ webContentsId: event.sender.id, frame }, { webContentsId: deps.windowWebContentsId() });
    const msg = (message && typeof message === 'object' ? message : {}) as Partial<InvokeMessage>;
    // A non-string channel becomes '' which the router rejects as unknown; it never reaches a handler.
    const channel = typeof msg.channel === 'string' ? msg.channel.slice(0, 200) : '';
    const call: CallContext = {
      transport: 'ipc',
      sessionId: sessionIdFor(event.sender.id),
      senderOk: verdict.ok,
      senderDescription: verdict.ok ? `window ${event.sender.id}` : verdict.reason,
    };
    try {
      return await deps.router.call(channel, msg.payload, call);
    } catch {
      // The router maps errors itself; this only guards against a bug there reaching the renderer as a rejection.
      return { ok: false, error: { code: 'INTERNAL', message: 'An internal error occurred; the operation was not completed.' } };
    }
  };
}
