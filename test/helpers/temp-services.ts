/** Real services on a real SQLite file in a fresh temp folder, with an admin signed in on a test session. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices, type Services } from '../../src/main/services.ts';
import type { Channel, RequestOf, ResponseOf, Envelope } from '../../src/shared/contract/index.ts';
import type { Role } from '../../src/shared/contract/define.ts';

export function tempDir(prefix = 'gliofuse-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestApp {
  dir: string;
  dbPath: string;
  s: Services;
  /** Calls as the given session (default 'admin'); returns the envelope. */
  raw<C extends Channel>(channel: C, req: RequestOf<C> | unknown, session?: string, senderOk?: boolean): Promise<Envelope<ResponseOf<C>>>;
  /** Calls and unwraps, throwing on an error envelope. */
  call<C extends Channel>(channel: C, req: RequestOf<C>, session?: string): Promise<ResponseOf<C>>;
  /** Creates a user with the role and signs them in on a session of the same name. */
  login(username: string, role: Role): Promise<void>;
  close(): Promise<void>;
}

export const PASSWORD = 'correct horse battery staple';

export async function startTestApp(opts: { withAdmin?: boolean } = {}): Promise<TestApp> {
  const dir = tempDir();
  const dbPath = path.join(dir, 'gliofuse.sqlite');
  const s = await createServices({ dbPath, dataDir: path.join(dir, 'data'), appVersion: '0.0.0-test' });
  const raw = (channel: string, req: unknown, session = 'admin', senderOk = true) =>
    s.router.call(channel, req, { transport: 'test', sessionId: session, senderOk }) as Promise<Envelope<never>>;
  const call = async (channel: string, req: unknown, session = 'admin') => {
    const r = await raw(channel, req, session);
    if (!r.ok) throw Object.assign(new Error(`${channel}: ${r.error.code} ${r.error.message}`), { code: r.error.code });
    return r.value;
  };
  const app: TestApp = {
    dir, dbPath, s, raw: raw as TestApp['raw'], call: call as TestApp['call'],
    async login(username, role) {
      await call('users.add', { username, displayName: `${username} (test)`, role, password: PASSWORD });
      await call('auth.login', { username, password: PASSWORD }, username);
    },
    async close() {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.withAdmin !== false) await call('auth.setupAdmin', { username: 'admin', displayName: 'Admin Test', password: PASSWORD });
  return app;
}
