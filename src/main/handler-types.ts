/**
 * The types a capability's handlers are written against. They live apart from router.ts so that capabilities never
 * import the router (the import rules in .dependency-cruiser.cjs forbid it): the router sits above them.
 */
import type { z } from 'zod';
import type { contract, Channel, ParsedRequestOf } from '../shared/contract/index.ts';
import type { Actor } from '../shared/actor.ts';
import type { Session, Sessions } from './auth/sessions.ts';

export interface CallContext {
  transport: 'ipc' | 'bridge' | 'cli' | 'test';
  sessionId: string;
  /** The shell's verdict on who sent this: a known window's main frame on app://, or the bridge's token. */
  senderOk: boolean;
  senderDescription?: string;
}

export interface HandlerCtx {
  actor: Actor | null;
  session: Session;
  sessions: Sessions;
  call: CallContext;
}

export type Handler<C extends Channel> = (req: ParsedRequestOf<C>, ctx: HandlerCtx) => Promise<z.input<(typeof contract)[C]['response']>>;
export type Handlers = { [C in Channel]: Handler<C> };
export type PartialHandlers<K extends Channel> = { [C in K]: Handler<C> };
