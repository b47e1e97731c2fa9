/**
 * `npm run dev:web`: the real UI in a plain browser. Starts the services on a database (--db, GLIOFUSE_DB or the
 * default in the user-data folder) and the loopback bridge, then prints the URL with the per-launch token.
 *
 *   node --import tsx src/main/bridge/dev-web.ts [--db PATH] [--port N] [--data-dir DIR] [--renderer DIR] [--json]
 *
 * With --json, one line `{"url","origin","port","token","db"}` goes to stdout once the bridge listens (the
 * Playwright global setup reads it); the process then runs until SIGINT/SIGTERM or stdin closes (--exit-on-stdin-end).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createServices } from '../services.ts';
import { resolveDbPath } from '../paths.ts';
import { defaultRendererDir, startBridge } from './http-bridge.ts';
import { RUO_STATEMENT } from '../../shared/ruo.ts';

function fail(message: string, exitCode: number): never {
  process.stderr.write(`dev-web: ${message}\n`);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        db: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        renderer: { type: 'string' },
        json: { type: 'boolean', default: false },
        'exit-on-stdin-end': { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)} (usage: dev-web [--db PATH] [--port N] [--data-dir DIR] [--renderer DIR] [--json])`, 2);
  }
  const port = args.port === undefined ? 0 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a number from 0 to 65535, got "${args.port}".`, 2);
  const rendererDir = path.resolve(args.renderer ?? defaultRendererDir());
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) fail(`no built renderer in ${rendererDir}; run \`npm run build\` first.`, 1);

  const dbPath = resolveDbPath(args.db);
  const services = await createServices({ dbPath, ...(args['data-dir'] ? { dataDir: path.resolve(args['data-dir']) } : {}) });
  const bridge = await startBridge(services, { port, rendererDir });

  let closing = false;
  const shutdown = async (code: number) => {
    if (closing) return;
    closing = true;
    await bridge.close().catch(() => undefined);
    await services.close().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  if (args['exit-on-stdin-end']) {
    // A parent that dies without signalling (test runner crash) closes our stdin; do not linger as an orphan.
    process.stdin.on('end', () => void shutdown(0));
    process.stdin.resume();
  }

  if (args.json) {
    process.stdout.write(`${JSON.stringify({ url: bridge.launchUrl, origin: bridge.origin, port: bridge.port, token: bridge.token, db: dbPath })}\n`);
  } else {
    process.stdout.write(
      [
        `Gliofuse (web bridge) — ${RUO_STATEMENT}`,
        `database: ${dbPath}`,
        `open in Chromium: ${bridge.launchUrl}`,
        'The token in the URL is the only key to this server; do not share it. Ctrl+C stops the server.',
        '',
      ].join('\n'),
    );
  }
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  fail(message, 1);
});
