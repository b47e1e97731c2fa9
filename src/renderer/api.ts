/**
 * The renderer's only door to the main process. `call(channel, request)` is typed by the shared contract and
 * throws `ApiError` (code + one-sentence message) for every failure.
 *
 * Transport: Electron's preload (`window.gliofuse`) when present; otherwise the loopback bridge over HTTP
 * (see src/main/bridge/http-bridge.ts): the per-launch token comes from the URL fragment the launcher prints
 * (`#token=...`) and is kept in sessionStorage for this tab only; the bridge issues one session per tab.
 */
import { CONTRACT_FINGERPRINT } from '../shared/contract/fingerprint.ts';
import { contract, type Channel, type Envelope, type RequestOf, type ResponseOf } from '../shared/contract/index.ts';
import type { ErrorCode, ErrorShape } from '../shared/errors.ts';
import type { Role } from '../shared/contract/define.ts';
import type { AppEvent, GliofusePreloadApi } from '../shared/preload-api.ts';

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(shape: ErrorShape) {
    super(shape.message);
    this.name = 'ApiError';
    this.code = shape.code;
    this.details = shape.details;
  }
}

interface Transport {
  kind: 'electron' | 'bridge';
  invoke(channel: Channel, payload: unknown): Promise<Envelope<unknown>>;
  tileUrl(slideId: number, level: number, col: number, row: number): string;
  onEvent(cb: (event: AppEvent) => void): () => void;
}

const TOKEN_KEY = 'gliofuse.bridgeToken';
const SESSION_KEY = 'gliofuse.bridgeSession';

function preload(): GliofusePreloadApi | undefined {
  return (window as unknown as { gliofuse?: GliofusePreloadApi }).gliofuse;
}

/** Reads `#token=...` once, keeps it for this tab and removes it from the address bar (and from history). */
function bridgeToken(): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    sessionStorage.removeItem(SESSION_KEY);
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

const transportError = (message: string): Envelope<never> => ({ ok: false, error: { code: 'UNAUTHENTICATED', message } });

function bridgeTransport(): Transport {
  const token = bridgeToken();
  let session: Promise<string> | null = null;

  const openSession = async (): Promise<string> => {
    const stored = sessionStorage.getItem(SESSION_KEY);
    if (stored) return stored;
    // The contract fingerprint this page was built with: a bridge of another build refuses it with a clear message.
    const res = await fetch('./session', { method: 'POST', headers: { Authorization: `Bearer ${token ?? ''}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ contract: CONTRACT_FINGERPRINT }) });
    const body = (await res.json()) as Envelope<{ sessionId: string }>;
    if (!body.ok) throw new ApiError(body.error);
    sessionStorage.setItem(SESSION_KEY, body.value.sessionId);
    return body.value.sessionId;
  };
  const sessionId = () => (session ??= openSession().catch((err: unknown) => {
    session = null;
    throw err;
  }));

  const post = async (channel: Channel, payload: unknown, sid: string): Promise<Response> =>
    fetch(`./api/${channel}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token ?? ''}`, 'X-Gliofuse-Session': sid, 'X-Gliofuse-Contract': CONTRACT_FINGERPRINT, 'Content-Type': 'application/json' },
      body: JSON.stringify(payload ?? {}),
    });

  return {
    kind: 'bridge',
    async invoke(channel, payload) {
      if (!token) return transportError('This page was opened without its access token; open the full URL printed by `npm run dev:web`.');
      let res: Response;
      try {
        res = await post(channel, payload, await sessionId());
        if (res.status === 401 && sessionStorage.getItem(SESSION_KEY)) {
          // Our session id is unknown to this server (it restarted); open a fresh one once.
          const body = (await res.clone().json()) as Envelope<unknown>;
          if (!body.ok && /session/i.test(body.error.message)) {
            sessionStorage.removeItem(SESSION_KEY);
            session = null;
            res = await post(channel, payload, await sessionId());
          }
        }
      } catch (err) {
        if (err instanceof ApiError) return { ok: false, error: { code: err.code, message: err.message } };
        return { ok: false, error: { code: 'INTERNAL', message: 'The local Gliofuse server did not answer; check that `npm run dev:web` is still running.' } };
      }
      try {
        return (await res.json()) as Envelope<unknown>;
      } catch {
        return { ok: false, error: { code: 'INTERNAL', message: `The local server answered with HTTP ${res.status} and no readable body.` } };
      }
    },
    tileUrl(slideId, level, col, row) {
      const sid = sessionStorage.getItem(SESSION_KEY) ?? '';
      const q = new URLSearchParams({ token: token ?? '', session: sid });
      return `./wsi/${slideId}/${level}/${col}_${row}.jpeg?${q.toString()}`;
    },
    onEvent(cb) {
      let source: EventSource | null = null;
      let closed = false;
      void sessionId().then((sid) => {
        if (closed) return;
        source = new EventSource(`./events?${new URLSearchParams({ token: token ?? '', session: sid }).toString()}`);
        source.onmessage = (m: MessageEvent<string>) => {
          try {
            cb(JSON.parse(m.data) as AppEvent);
          } catch {
            // A malformed event is dropped; events are advisory (the UI re-reads state through call()).
          }
        };
      }, () => undefined);
      return () => {
        closed = true;
        source?.close();
      };
    },
  };
}

function electronTransport(api: GliofusePreloadApi): Transport {
  return {
    kind: 'electron',
    invoke: (channel, payload) => (api.invoke as (c: Channel, p: unknown) => Promise<Envelope<unknown>>)(channel, payload),
    tileUrl: (slideId, level, col, row) => api.tileUrl(slideId, level, col, row),
    onEvent: (cb) => api.onEvent(cb),
  };
}

let transport: Transport | null = null;
function t(): Transport {
  if (!transport) {
    const p = preload();
    transport = p ? electronTransport(p) : bridgeTransport();
  }
  return transport;
}

type AuthListener = (code: 'UNAUTHENTICATED' | 'LOCKED') => void;
const authListeners = new Set<AuthListener>();
/** The app shell listens here: any call that finds the session locked or gone sends the user to the lock/login screen. */
export function onAuthProblem(cb: AuthListener): () => void {
  authListeners.add(cb);
  return () => authListeners.delete(cb);
}

const PUBLIC_CHANNELS = new Set<string>(Object.entries(contract).filter(([, d]) => d.access === 'public').map(([c]) => c));

/**
 * The signed-in user's role, set by the shell. A call the role may not make is refused here, before it reaches the
 * main process: the server would refuse it too, but it would also record an `access.denied` event against a user
 * who never asked for anything (a page left open by the previous user, a control that should have been hidden).
 */
let callerRole: Role | null = null;
export function setCallerRole(role: Role | null): void {
  callerRole = role;
}
/** Whether the signed-in role may call `channel` (the contract's access rule; public and 'any' always pass). */
export function mayCall(channel: Channel): boolean {
  const access = contract[channel].access;
  if (access === 'public' || access === 'any') return true;
  return callerRole !== null && access.includes(callerRole);
}

export async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  if (!mayCall(channel)) throw new ApiError({ code: 'FORBIDDEN', message: 'Your role cannot do this; ask a colleague with the right role.' });
  const env = await t().invoke(channel, request);
  if (!env.ok) {
    const code = env.error.code;
    if ((code === 'LOCKED' || code === 'UNAUTHENTICATED') && !PUBLIC_CHANNELS.has(channel)) for (const l of authListeners) l(code);
    // The router names the channel ("Invalid request for auth.setupAdmin: …"); people need only the field and rule.
    const prefix = `Invalid request for ${channel}: `;
    if (code === 'BAD_INPUT' && env.error.message.startsWith(prefix)) throw new ApiError({ ...env.error, message: `Please check ${env.error.message.slice(prefix.length)}` });
    throw new ApiError(env.error);
  }
  // The main process validated the response already; parsing again keeps the types honest at this boundary.
  const parsed = contract[channel].response.safeParse(env.value);
  if (!parsed.success) throw new ApiError({ code: 'INTERNAL', message: `The ${channel} response did not match the contract.` });
  return parsed.data as ResponseOf<C>;
}

export function tileUrl(slideId: number, level: number, col: number, row: number): string {
  return t().tileUrl(slideId, level, col, row);
}

export function onEvent(cb: (event: AppEvent) => void): () => void {
  return t().onEvent(cb);
}

export function transportKind(): 'electron' | 'bridge' {
  return t().kind;
}

/** A message for the UI from anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong; please try again.';
}
