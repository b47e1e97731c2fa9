/**
 * The types a capability's handlers are written against. They live apart from router.ts so that capabilities never
 * import the router (the import rules in .dependency-cruiser.cjs forbid it): the router sits above them. They
 * import only src/shared, so every capability (auth included) may use them without closing a folder cycle.
 */
import type { z } from 'zod';
import type { contract, Channel, ParsedRequestOf } from '../shared/contract/index.ts';
import type { Actor } from '../shared/actor.ts';

export interface CallContext {
  transport: 'ipc' | 'bridge' | 'cli' | 'test';
  sessionId: string;
  /** The shell's verdict on who sent this: a known window's main frame on app://, or the bridge's token. */
  senderOk: boolean;
  senderDescription?: string;
}

/** A caller's session (one per window, bridge tab or CLI invocation); auth/sessions.ts keeps them. */
export interface Session {
  readonly id: string;
  actor: Actor | null;
  lastActivity: number;
  locked: boolean;
}

/** What a handler may do to sessions: sign the caller in or out (auth/sessions.ts's Sessions implements it). */
export interface SessionControl {
  signIn(s: Session, actor: Actor): void;
  signOut(s: Session): void;
  /** The idle-lock period in seconds (shown to the signed-in user). */
  idleSeconds(): number;
}

export interface HandlerCtx {
  actor: Actor | null;
  session: Session;
  sessions: SessionControl;
  call: CallContext;
}

export type Handler<C extends Channel> = (req: ParsedRequestOf<C>, ctx: HandlerCtx) => Promise<z.input<(typeof contract)[C]['response']>>;
export type Handlers = { [C in Channel]: Handler<C> };
export type PartialHandlers<K extends Channel> = { [C in K]: Handler<C> };
