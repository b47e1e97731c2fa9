/**
 * The loopback bridge's own rules, on real services and a real database: who may call (token, session, Host,
 * Origin, Sec-Fetch-Site), what bodies are accepted, what static files are served, and that calls that pass reach
 * the router with the same validation, role checks and audit as the other shells.
 */
import { CONTRACT_FINGERPRINT } from '../../../src/shared/contract/fingerprint.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createServices, type Services } from '../../../src/main/services.ts';
import { startBridge, type Bridge } from '../../../src/main/bridge/http-bridge.ts';

let dir: string;
let services: Services;
let bridge: Bridge;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-bridge-'));
  const renderer = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(renderer, 'assets', 'app.js'), 'export {};');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for the web');
  services = await createServices({ dbPath: path.join(dir, 'db.sqlite'), dataDir: path.join(dir, 'data'), modelDirs: [] });
  bridge = await startBridge(services, { rendererDir: renderer, maxBodyBytes: 4096 });
});

after(async () => {
  await bridge.close();
  await services.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Raw HTTP so the test controls Host, Origin and every other header (fetch would fix some of them). */
function request(method: string, p: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: bridge.port, method, path: p, headers: { Host: `127.0.0.1:${bridge.port}`, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const json = (extra: Record<string, string> = {}) => ({ 'Content-Type': 'application/json', Authorization: `Bearer ${bridge.token}`, ...extra });

async function openSession(): Promise<string> {
  const r = await request('POST', '/session', { headers: json(), body: '{}' });
  assert.equal(r.status, 200);
  return (JSON.parse(r.body) as { value: { sessionId: string } }).value.sessionId;
}

async function api(channel: string, body: unknown, sid: string, extra: Record<string, string> = {}) {
  const r = await request('POST', `/api/${channel}`, { headers: json({ 'X-Gliofuse-Session': sid, ...extra }), body: JSON.stringify(body) });
  return { status: r.status, env: JSON.parse(r.body) as { ok: boolean; value?: unknown; error?: { code: string; message: string } } };
}

test('listens on 127.0.0.1 and puts the token only in the URL fragment', () => {
  assert.match(bridge.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(bridge.launchUrl, `${bridge.origin}/#token=${bridge.token}`);
  assert.ok(bridge.token.length >= 40);
});

test('serves the renderer with the strict CSP and security headers, and nothing outside it', async () => {
  const index = await request('GET', '/');
  assert.equal(index.status, 200);
  assert.match(String(index.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
  assert.equal(index.headers['x-content-type-options'], 'nosniff');
  assert.equal(index.headers['x-frame-options'], 'DENY');
  assert.equal(index.headers['cache-control'], 'no-cache');
  assert.doesNotMatch(index.body, new RegExp(bridge.token));
  const asset = await request('GET', '/assets/app.js');
  assert.equal(asset.status, 200);
  assert.match(String(asset.headers['content-type']), /javascript/);
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/nope.js']) {
    const r = await request('GET', p);
    assert.equal(r.status, 404, p);
    assert.doesNotMatch(r.body, /not for the web/);
  }
});

test('refuses a foreign Host (DNS rebinding), a foreign Origin, cross-site fetches and preflights', async () => {
  const sid = await openSession();
  const evilHost = await request('GET', '/', { headers: { Host: 'evil.example:80' } });
  assert.equal(evilHost.status, 421);
  const rebinding = await request('POST', '/api/app.status', { headers: json({ Host: `evil.example:${bridge.port}`, 'X-Gliofuse-Session': sid }), body: '{}' });
  assert.equal(rebinding.status, 421);
  const origin = await api('app.status', {}, sid, { Origin: 'http://evil.example' });
  assert.equal(origin.status, 403);
  assert.equal(origin.env.error?.code, 'FORBIDDEN');
  const site = await api('app.status', {}, sid, { 'Sec-Fetch-Site': 'cross-site' });
  assert.equal(site.status, 403);
  const preflight = await request('OPTIONS', '/api/patients.create', { headers: { Origin: `http://127.0.0.1:${bridge.port}`, 'Access-Control-Request-Method': 'POST' } });
  assert.equal(preflight.status, 403);
  assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  // Our own origin is fine.
  const own = await api('app.status', {}, sid, { Origin: bridge.origin, 'Sec-Fetch-Site': 'same-origin' });
  assert.equal(own.status, 200);
  assert.equal(own.env.ok, true);
});

test('needs the token and a session this bridge issued', async () => {
  const noToken = await request('POST', '/session', { headers: { 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(noToken.status, 401);
  const wrongToken = await request('POST', '/session', { headers: { 'Content-Type': 'application/json', Authorization: 'Bearer not-the-token' }, body: '{}' });
  assert.equal(wrongToken.status, 401);
  const made = await api('app.status', {}, 'a-session-id-i-made-up');
  assert.equal(made.status, 401);
  assert.match(made.env.error?.message ?? '', /session/i);
  const sid = await openSession();
  const tokenless = await request('POST', '/api/app.status', { headers: { 'Content-Type': 'application/json', 'X-Gliofuse-Session': sid }, body: '{}' });
  assert.equal(tokenless.status, 401);
  const events = await request('GET', `/events?session=${sid}`);
  assert.equal(events.status, 401);
  const tile = await request('GET', `/wsi/1/0/0_0.jpeg?token=${bridge.token}&session=${sid}`);
  assert.equal(tile.status, 401, 'tiles need a signed-in session');
});

test('accepts only JSON bodies within the size limit', async () => {
  const sid = await openSession();
  const form = await request('POST', '/api/app.status', { headers: { Authorization: `Bearer ${bridge.token}`, 'X-Gliofuse-Session': sid, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
  assert.equal(form.status, 415);
  const bad = await request('POST', '/api/app.status', { headers: json({ 'X-Gliofuse-Session': sid }), body: '{not json' });
  assert.equal(bad.status, 400);
  const big = await request('POST', '/api/app.status', { headers: json({ 'X-Gliofuse-Session': sid }), body: JSON.stringify({ pad: 'x'.repeat(5000) }) });
  assert.equal(big.status, 413);
});

test('calls reach the router: validation, roles and audit are the same as in the app', async () => {
  const admin = await openSession();
  const setup = await api('auth.setupAdmin', { username: 'bridge.admin', displayName: 'Bridge Admin', password: 'bridge-admin-pass-1' }, admin);
  assert.equal(setup.env.ok, true, JSON.stringify(setup.env));

  const invalid = await api('patients.create', { pseudonym: 'has spaces!' }, admin);
  assert.equal(invalid.status, 200, 'router errors travel in the envelope');
  assert.equal(invalid.env.error?.code, 'BAD_INPUT');
  const unknown = await api('no.such.channel', {}, admin);
  assert.equal(unknown.env.error?.code, 'BAD_INPUT');

  const created = await api('patients.create', { pseudonym: 'BR-001' }, admin);
  assert.equal(created.env.ok, true);
  await api('users.add', { username: 'bridge.viewer', displayName: 'Bridge Viewer', role: 'viewer', password: 'bridge-viewer-pass-1' }, admin);

  // A second tab is a second session: not signed in until it signs in itself.
  const other = await openSession();
  assert.equal((await api('patients.list', {}, other)).env.error?.code, 'UNAUTHENTICATED');
  assert.equal((await api('auth.login', { username: 'bridge.viewer', password: 'bridge-viewer-pass-1' }, other)).env.ok, true);
  const denied = await api('patients.create', { pseudonym: 'BR-002' }, other);
  assert.equal(denied.env.error?.code, 'FORBIDDEN');

  const events = await services.audit.list({ limit: 50, offset: 0 });
  const actions = events.events.map((e) => e.action);
  assert.ok(actions.includes('patient.created'));
  assert.ok(events.events.some((e) => e.action === 'access.denied' && e.entityId === 'patients.create' && e.userName === 'Bridge Viewer'));
  assert.ok(!events.events.some((e) => e.action === 'access.rejected_sender'), 'bridge refusals never reach the audit log');
  assert.equal((await services.audit.verify()).ok, true);
});

/** An SSE subscription of one bridge session: the text received so far, and when the stream opened. */
function subscribe(sid: string): { opened: Promise<void>; text: () => string; close: () => void } {
  let text = '';
  let req: http.ClientRequest;
  const opened = new Promise<void>((resolve, reject) => {
    req = http.get({ host: '127.0.0.1', port: bridge.port, path: `/events?token=${bridge.token}&session=${sid}`, headers: { Host: `127.0.0.1:${bridge.port}` } }, (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/event-stream/);
      res.on('data', (c: Buffer) => { text += c.toString(); if (text.includes(': connected')) resolve(); });
    });
    req.on('error', (err) => { if (!String(err).includes('socket hang up')) reject(err); });
  });
  return { opened, text: () => text, close: () => req.destroy() };
}

test('pushes events over Server-Sent Events to signed-in, unlocked sessions only', async () => {
  const signed = await openSession();
  assert.equal((await api('auth.login', { username: 'bridge.admin', password: 'bridge-admin-pass-1' }, signed)).env.ok, true);
  const anonymous = await openSession();
  const locked = await openSession();
  assert.equal((await api('auth.login', { username: 'bridge.viewer', password: 'bridge-viewer-pass-1' }, locked)).env.ok, true);
  services.sessions.get(locked).locked = true;
  const subs = [subscribe(signed), subscribe(anonymous), subscribe(locked)];
  await Promise.all(subs.map((x) => x.opened));
  services.analysis.events.emit('progress', { id: 7, caseId: 3, state: 'running', stage: 'tiling', progress: null, error: null });
  for (let i = 0; i < 100 && !subs[0]!.text().includes('\n\ndata: '); i++) await new Promise((r) => setTimeout(r, 20));
  // One write loop serves every stream: what the others have not got by now, they never get.
  await new Promise((r) => setTimeout(r, 200));
  subs.forEach((x) => x.close());
  const m = /data: (.*)\n\n/.exec(subs[0]!.text());
  assert.ok(m?.[1], `the signed-in session got the event: ${JSON.stringify(subs[0]!.text())}`);
  assert.doesNotMatch(subs[1]!.text(), /data:/, 'a tab that is not signed in gets no events');
  assert.doesNotMatch(subs[2]!.text(), /data:/, 'a locked session gets no events');
  const event = JSON.parse(m[1]) as { topic: string; at: string; data: { id: number; stage: string } };
  assert.equal(event.topic, 'analysis.progress');
  assert.equal(event.data.id, 7);
  assert.equal(event.data.stage, 'tiling');
  assert.ok(!Number.isNaN(Date.parse(event.at)));
});

test('a page built from another contract is refused clearly; this build\'s page is served', async () => {
  const stale = await request('POST', '/session', { headers: json(), body: JSON.stringify({ contract: '0123456789abcdef' }) });
  assert.equal(stale.status, 409);
  assert.equal((JSON.parse(stale.body) as { error: { message: string } }).error.message,
    `This page comes from another Gliofuse build (interface 0123456789abcdef; this app ${CONTRACT_FINGERPRINT}). Reload the page.`);
  const current = await request('POST', '/session', { headers: json(), body: JSON.stringify({ contract: CONTRACT_FINGERPRINT }) });
  assert.equal(current.status, 200);
  const sid = (JSON.parse(current.body) as { value: { sessionId: string } }).value.sessionId;
  assert.equal((await api('app.status', {}, sid, { 'X-Gliofuse-Contract': CONTRACT_FINGERPRINT })).status, 200);
  const call = await api('app.status', {}, sid, { 'X-Gliofuse-Contract': 'ffffffffffffffff' });
  assert.equal(call.status, 409);
  assert.match(call.env.error?.message ?? '', /another Gliofuse build .*Reload the page/);
});
