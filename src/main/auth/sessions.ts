/**
 * Session state per caller (one per Electron window, one per bridge token, one per CLI invocation).
 * Inactivity lock: a session idle longer than the configured minutes is locked; the user must re-enter the
 * password (auth.unlock) and nothing else is served until then.
 */
import crypto from 'node:crypto';
import type { Actor } from '../../shared/actor.ts';
import type { Session, SessionControl } from '../handler-types.ts';

export type { Session } from '../handler-types.ts';

export class Sessions implements SessionControl {
  private readonly map = new Map<string, Session>();
  constructor(
    private idleMs: () => number,
    private readonly clock: () => number = Date.now,
  ) {}

  create(id: string = crypto.randomUUID()): Session {
    const s: Session = { id, actor: null, lastActivity: this.clock(), locked: false };
    this.map.set(id, s);
    return s;
  }

  get(id: string): Session {
    return this.map.get(id) ?? this.create(id);
  }

  /** Applies the idle rule; returns the session after the check (locked if it was idle too long). */
  check(id: string): Session {
    const s = this.get(id);
    if (s.actor && !s.locked && this.clock() - s.lastActivity > this.idleMs()) s.locked = true;
    return s;
  }

  touch(s: Session): void {
    s.lastActivity = this.clock();
  }

  signIn(s: Session, actor: Actor): void {
    s.actor = actor;
    s.locked = false;
    s.lastActivity = this.clock();
  }

  signOut(s: Session): void {
    s.actor = null;
    s.locked = false;
  }

  drop(id: string): void {
    this.map.delete(id);
  }

  idleSeconds(): number {
    return Math.round(this.idleMs() / 1000);
  }
}
