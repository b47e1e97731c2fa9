import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices, type Services } from '../../../src/main/services.ts';
import { createInvokeHandler, sessionIdFor, type InvokeEventLike } from '../../../src/main/electron/ipc.ts';
import { APP_ENTRY_URL } from '../../../src/main/electron/security-policy.ts';

let tmp: string;
let services: Services;
const WINDOW = 3;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-ipc-'));
  services = await createServices({ dbPath: path.join(tmp, 'g.sqlite'), dataDir: tmp, modelDirs: [] });
});
after(async () => {
  await services.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const ev = (id: number, url: string | null, parent: unknown = null): InvokeEventLike => ({ sender: { id }, senderFrame: url === null ? null : { url, parent } });

test('the app window main frame reaches the router with transport ipc and its own session', async () => {
  const seen: { name: string; sessionId: string; transport: string }[] = [];
  const handler = createInvokeHandler({
    router: { call: async (name, payload, call) => { seen.push({ name, sessionId: call.sessionId, transport: call.transport }); return services.router.call(name, payload, call); } },
    windowWebContentsId: () => WINDOW,
  });
  const res = await handler(ev(WINDOW, APP_ENTRY_URL), { channel: 'app.status', payload: {} });
  assert.equal(res.ok, true, JSON.stringify(res));
  assert.deepEqual(seen, [{ name: 'app.status', sessionId: sessionIdFor(WINDOW), transport: 'ipc' }]);
});

test('untrusted senders are refused by the router and the refusal is audited', async () => {
  const handler = createInvokeHandler({ router: services.router, windowWebContentsId: () => WINDOW });
  const before = (await services.audit.list({ action: 'access.rejected_sender', limit: 100, offset: 0 })).total;
  const bad: [InvokeEventLike, RegExp][] = [
    [ev(99, APP_ENTRY_URL), /webContents 99/],
    [ev(WINDOW, APP_ENTRY_URL, { url: APP_ENTRY_URL }), /subframe/],
    [ev(WINDOW, 'https://evil.example/'), /not app:\/\/gliofuse/],
    [ev(WINDOW, null), /frame is gone/],
  ];
  for (const [event] of bad) {
    const res = await handler(event, { channel: 'app.status', payload: {} });
    assert.equal(res.ok, false);
    if (!res.ok) assert.equal(res.error.code, 'FORBIDDEN');
  }
  const audited = await services.audit.list({ action: 'access.rejected_sender', limit: 100, offset: 0 });
  assert.equal(audited.total - before, bad.length);
  const reasons = audited.events.map((e) => String((e as { reason?: unknown }).reason ?? ''));
  for (const [, reason] of bad) assert.ok(reasons.some((r) => reason.test(r) && r.startsWith('ipc:')), `no audit reason matching ${reason}: ${reasons.join(' | ')}`);
  assert.equal((await services.audit.verify()).ok, true);
});

test('malformed messages are rejected as bad input without reaching a handler', async () => {
  const handler = createInvokeHandler({ router: services.router, windowWebContentsId: () => WINDOW });
  for (const msg of [null, 42, 'app.status', { channel: 7 }, { channel: 'no.such.channel' }, { channel: 'x'.repeat(5000) }]) {
    const res = await handler(ev(WINDOW, APP_ENTRY_URL), msg);
    assert.equal(res.ok, false, JSON.stringify(msg));
    if (!res.ok) assert.equal(res.error.code, 'BAD_INPUT');
  }
});

test('a router that throws still yields an envelope, never a rejection', async () => {
  const handler = createInvokeHandler({ router: { call: async () => { throw new Error('boom with /secret/path'); } }, windowWebContentsId: () => WINDOW });
  const res = await handler(ev(WINDOW, APP_ENTRY_URL), { channel: 'app.status', payload: {} });
  assert.equal(res.ok, false);
  if (!res.ok) {
    assert.equal(res.error.code, 'INTERNAL');
    assert.doesNotMatch(res.error.message, /secret/);
  }
});
