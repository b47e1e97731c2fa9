/**
 * What every CLI command gets: global options, lazily opened services, and a router call that runs as the
 * CLI operator. The CLI trusts local OS access to the database file (whoever can read the file can read the
 * data anyway); it still names an account (--as / GLIOFUSE_USER / the OS login name) so every change is
 * attributed and audited through the same router, validation and role checks as the app.
 */
import os from 'node:os';
import type { Services } from '../services.ts';
import { createServices } from '../services.ts';
import { resolveDbPath, resourcesDirFromEnv } from '../paths.ts';
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract/index.ts';
import { GliofuseError } from '../../shared/errors.ts';
import { isNoSpace } from '../store/storage-errors.ts';

export interface GlobalOptions {
  db?: string;
  json?: boolean;
  as?: string;
}

export interface CliContext {
  opts(): GlobalOptions;
  services(): Promise<Services>;
  /** Calls a channel as the CLI operator (signs the CLI session in first). Throws GliofuseError on failure. */
  call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  /** Calls a public channel without an operator (first-run set-up). */
  callPublic<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  /** Prints a result: JSON with --json, else the human text. */
  out(value: unknown, human: string | (() => string)): void;
  close(): Promise<void>;
}

const CLI_SESSION = 'cli';

export function createCliContext(getOpts: () => GlobalOptions): CliContext {
  let services: Promise<Services> | undefined;
  let signedIn = false;
  const open = () => (services ??= createServices({ dbPath: resolveDbPath(getOpts().db), resourcesPath: resourcesDirFromEnv() }).catch((err: unknown) => {
    // A full disk refuses even opening for writing; read-only commands (listings) still run, and any write then
    // fails with "disk full at …" (src/main/store/storage-errors.ts).
    if (!isNoSpace(err)) throw err;
    return createServices({ dbPath: resolveDbPath(getOpts().db), resourcesPath: resourcesDirFromEnv(), readonly: true });
  }));

  async function operator(s: Services) {
    if (signedIn) return;
    const name = getOpts().as ?? process.env.GLIOFUSE_USER ?? os.userInfo().username;
    let actor;
    try {
      actor = await s.users.actorByUsername(name);
    } catch {
      const hint = (await s.users.needsSetup()) ? 'create the first administrator with "gliofuse user add --role admin --name NAME --password-stdin"' : 'name an existing account with --as USER or GLIOFUSE_USER';
      throw new GliofuseError('BAD_INPUT', `No active Gliofuse account "${name}" for this command; ${hint}.`);
    }
    s.sessions.signIn(s.sessions.get(CLI_SESSION), actor);
    signedIn = true;
  }

  async function route<C extends Channel>(s: Services, channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
    const res = await s.router.call(channel, request, { transport: 'cli', sessionId: CLI_SESSION, senderOk: true });
    if (!res.ok) throw new GliofuseError(res.error.code, res.error.message);
    return res.value;
  }

  return {
    opts: getOpts,
    services: open,
    async call(channel, request) {
      const s = await open();
      await operator(s);
      return route(s, channel, request);
    },
    async callPublic(channel, request) {
      return route(await open(), channel, request);
    },
    out(value, human) {
      if (getOpts().json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else process.stdout.write(`${typeof human === 'function' ? human() : human}\n`);
    },
    async close() {
      if (services) await (await services).close();
    },
  };
}
