/**
 * The app shell: boot (app.status) → first-run set-up | sign-in | lock screen | the signed-in layout with the
 * RUO banner, the audit-chain warning, the left rail and the routed page. Also owns the inactivity lock.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { call, errorMessage, onAuthProblem, setCallerRole } from './api.ts';
import type { ResponseOf } from '../shared/contract/index.ts';
import { RUO_STATEMENT } from '../shared/ruo.ts';
import { SessionContext, ROLE_LABEL, isAdmin, type SessionValue } from './lib/session.tsx';
import { useRoute, href, navigate } from './lib/route.ts';
import { Icon, type IconName } from './components/icons.tsx';
import { Button, ErrorPanel } from './components/ui.tsx';
import { ForcedPasswordChangeScreen, LockScreen, LoginScreen, SetupScreen } from './features/auth/AuthScreens.tsx';
import { Page } from './Routes.tsx';
import { listenForOpenedSlides, setPendingSlide, usePendingSlide } from './lib/pending-slide.ts';

type AppStatus = ResponseOf<'app.status'>;
type SessionInfo = ResponseOf<'auth.login'>;

type Phase =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'setup' }
  | { kind: 'login' }
  | { kind: 'locked'; userName: string | null }
  | { kind: 'mustChangePassword'; session: SessionInfo }
  | { kind: 'ready'; session: SessionInfo };

function RuoBanner() {
  return (
    <div className="ruo-banner" role="note" aria-label="Intended use">
      <Icon name="info" size={16} />
      <strong>RUO</strong>
      <span>{RUO_STATEMENT}</span>
    </div>
  );
}

function ChainBanner({ chain }: { chain: AppStatus['auditChain'] }) {
  if (chain.ok) return null;
  return (
    <div className="chain-banner" role="alert">
      <Icon name="warning" size={16} />
      <strong>Audit log integrity check failed.</strong>
      <span>
        {chain.firstBrokenSeq !== null ? `The chain breaks at event ${chain.firstBrokenSeq}` : 'The chain does not verify'}
        {chain.reason ? ` (${chain.reason})` : ''}. Records may have been altered outside Gliofuse; tell your administrator and keep a copy of the database file.
      </span>
      <a href={href('/audit')}>Open the audit log</a>
    </div>
  );
}

function PendingSlideBanner() {
  const path = usePendingSlide();
  if (!path) return null;
  const name = path.split(/[\\/]/).pop() ?? path;
  return (
    <div className="pending-banner" role="status">
      <Icon name="slide" size={16} />
      <span>
        <strong>{name}</strong> is ready to attach. Open the case it belongs to: the path is filled in under Overview ▸ Attach a slide.
      </span>
      <a href={href('/worklist')}>Worklist</a>
      <Button variant="ghost" onClick={() => setPendingSlide(null)}>Dismiss</Button>
    </div>
  );
}

const RAIL: { path: string; label: string; icon: IconName; admin?: boolean }[] = [
  { path: 'worklist', label: 'Worklist', icon: 'worklist' },
  { path: 'patients', label: 'Patients', icon: 'patients' },
  { path: 'models', label: 'Models', icon: 'models' },
  { path: 'audit', label: 'Audit log', icon: 'audit' },
  { path: 'users', label: 'Users', icon: 'users', admin: true },
  { path: 'settings', label: 'Settings', icon: 'settings' },
];

function Rail({ session, current }: { session: SessionValue; current: string }) {
  const active = current === 'cases' ? 'worklist' : current;
  return (
    <nav className="rail" aria-label="Main">
      <div className="rail-brand">
        <span className="brand-mark" aria-hidden="true">G</span>
        <span className="brand-name">Gliofuse</span>
      </div>
      <ul className="rail-items">
        {RAIL.filter((i) => !i.admin || isAdmin(session.user.role)).map((i) => (
          <li key={i.path}>
            <a href={href(`/${i.path}`)} className={`rail-item${active === i.path ? ' is-active' : ''}`} aria-current={active === i.path ? 'page' : undefined}>
              <Icon name={i.icon} />
              <span>{i.label}</span>
            </a>
          </li>
        ))}
      </ul>
      <div className="rail-user">
        <div className="rail-user-id">
          <span className="avatar" aria-hidden="true">{session.user.displayName.slice(0, 1).toUpperCase()}</span>
          <div>
            <div className="rail-user-name" data-testid="current-user">{session.user.displayName}</div>
            <div className="rail-user-role" data-testid="current-role">{ROLE_LABEL[session.user.role]}</div>
          </div>
        </div>
        <div className="rail-user-actions">
          <Button variant="ghost" icon="lock" onClick={session.lock}>Lock</Button>
          <Button variant="ghost" icon="logout" onClick={session.logout}>Sign out</Button>
        </div>
        <a className="rail-account-link" href={href('/password')}>Change my password</a>
        <div className="rail-version">v{session.appVersion}</div>
      </div>
    </nav>
  );
}

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'pointermove', 'touchstart'] as const;
/** How often at most the renderer tells the server the user is still active while no other call is made. */
const KEEPALIVE_MS = 60_000;

/** Locks after `idleSeconds` without input. While the user is active but makes no calls (reading a slide), a light
 * call keeps the server-side session from idling out underneath them. */
function useIdleLock(idleSeconds: number | null, onIdle: () => void) {
  const last = useRef(Date.now());
  const lastPing = useRef(Date.now());
  useEffect(() => {
    if (idleSeconds === null) return;
    last.current = Date.now();
    const mark = () => {
      last.current = Date.now();
    };
    for (const e of ACTIVITY_EVENTS) window.addEventListener(e, mark, { passive: true, capture: true });
    const timer = window.setInterval(() => {
      const now = Date.now();
      if (now - last.current >= idleSeconds * 1000) {
        onIdle();
        return;
      }
      if (now - lastPing.current >= KEEPALIVE_MS && now - last.current < KEEPALIVE_MS) {
        lastPing.current = now;
        call('settings.get', {}).catch(() => undefined);
      }
    }, 5_000);
    return () => {
      for (const e of ACTIVITY_EVENTS) window.removeEventListener(e, mark, { capture: true });
      window.clearInterval(timer);
    };
  }, [idleSeconds, onIdle]);
}

/** A signed-in session opens the app, unless its password was set by someone else and must be replaced first. */
async function signedInPhase(session: SessionInfo): Promise<Phase> {
  const { mustChange } = await call('auth.passwordState', {});
  return mustChange ? { kind: 'mustChangePassword', session } : { kind: 'ready', session };
}

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [status, setStatus] = useState<AppStatus | null>(null);
  const lastUser = useRef<string | null>(null);
  const route = useRoute();

  const boot = useCallback(async () => {
    try {
      const s = await call('app.status', {});
      setStatus(s);
      if (s.needsSetup) setPhase({ kind: 'setup' });
      else if (s.locked) setPhase({ kind: 'locked', userName: lastUser.current });
      else if (s.session) {
        lastUser.current = s.session.user.displayName;
        setCallerRole(s.session.user.role);
        setPhase(await signedInPhase(s.session));
      } else {
        setCallerRole(null);
        setPhase({ kind: 'login' });
      }
    } catch (err) {
      setPhase({ kind: 'error', message: errorMessage(err) });
    }
  }, []);

  useEffect(() => {
    void boot();
  }, [boot]);
  useEffect(() => listenForOpenedSlides(), []);

  /** A fresh sign-in starts on the Worklist: the address may still hold the previous user's page. */
  const signedIn = (s: SessionInfo) => {
    navigate('/worklist', {}, { replace: true });
    unlocked(s);
  };
  /** Unlocking continues where the same user left off. */
  const unlocked = (s: SessionInfo) => {
    lastUser.current = s.user.displayName;
    setCallerRole(s.user.role);
    void signedInPhase(s).then(setPhase, (err: unknown) => setPhase({ kind: 'error', message: errorMessage(err) }));
    // The chain status and set-up state may have changed (first-run); refresh quietly.
    call('app.status', {}).then(setStatus, () => undefined);
  };

  const lock = useCallback(() => {
    setPhase((p) => (p.kind === 'ready' ? { kind: 'locked', userName: p.session.user.displayName } : p));
    call('auth.lock', {}).catch(() => undefined);
  }, []);

  const logout = useCallback(() => {
    call('auth.logout', {}).finally(() => {
      lastUser.current = null;
      setCallerRole(null);
      setPhase({ kind: 'login' });
    });
  }, []);

  useEffect(
    () =>
      onAuthProblem((code) => {
        if (code === 'LOCKED') setPhase((p) => (p.kind === 'ready' ? { kind: 'locked', userName: p.session.user.displayName } : p));
        else void boot();
      }),
    [boot],
  );

  useIdleLock(phase.kind === 'ready' ? phase.session.expiresAfterIdleSeconds : null, lock);

  const sessionValue = useMemo<SessionValue | null>(
    () =>
      phase.kind === 'ready'
        ? { user: phase.session.user, idleSeconds: phase.session.expiresAfterIdleSeconds, appVersion: status?.appVersion ?? '', lock, logout }
        : null,
    [phase, status?.appVersion, lock, logout],
  );

  let body;
  switch (phase.kind) {
    case 'loading':
      body = <main className="auth-page" id="main" aria-busy="true"><p className="muted">Starting…</p></main>;
      break;
    case 'error':
      body = <main className="auth-page" id="main"><ErrorPanel message={phase.message} onRetry={() => void boot()} /></main>;
      break;
    case 'setup':
      body = <SetupScreen onDone={signedIn} />;
      break;
    case 'login':
      body = <LoginScreen onDone={signedIn} />;
      break;
    case 'mustChangePassword':
      body = <ForcedPasswordChangeScreen session={phase.session} onDone={() => setPhase({ kind: 'ready', session: phase.session })} onSignOut={logout} />;
      break;
    case 'locked':
      body = <LockScreen userName={phase.userName} onUnlocked={unlocked} onSignOut={logout} />;
      break;
    case 'ready':
      body = (
        <SessionContext.Provider value={sessionValue}>
          <div className="shell">
            <Rail session={sessionValue!} current={route.parts[0] ?? 'worklist'} />
            <main className="content" id="main" tabIndex={-1}>
              <PendingSlideBanner />
              <Page route={route} />
            </main>
          </div>
        </SessionContext.Provider>
      );
      break;
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <RuoBanner />
      {status && <ChainBanner chain={status.auditChain} />}
      {body}
    </div>
  );
}
