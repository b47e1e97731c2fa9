import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  APP_ENTRY_URL, APP_ORIGIN, BLOCKED_URL_PATTERNS, HARDENED_WEB_PREFERENCES, appCsp, appResponseHeaders, checkSender,
  devToolsAllowed, isAppUrl, isBlockedNetworkUrl, navigationAllowed, permissionAllowed, tileResponseHeaders,
} from '../../../src/main/electron/security-policy.ts';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

test('the app CSP forbids inline code, eval, remote hosts and framing, and allows wsi: tiles as images only', () => {
  const d = directives(appCsp());
  assert.deepEqual(d.get('default-src'), ["'none'"]);
  assert.deepEqual(d.get('script-src'), ["'self'"]);
  assert.deepEqual(d.get('connect-src'), ["'self'"]);
  assert.deepEqual(d.get('object-src'), ["'none'"]);
  assert.deepEqual(d.get('frame-ancestors'), ["'none'"]);
  assert.ok(d.get('img-src')?.includes('wsi:'));
  assert.ok(!d.get('script-src')?.includes('wsi:'));
  const all = appCsp();
  for (const bad of ["'unsafe-inline'", "'unsafe-eval'", 'http:', 'https:', '*']) assert.ok(!all.split(/[\s;]+/).includes(bad), `CSP must not contain ${bad}`);
});

test('every app:// response carries the CSP header and nosniff; hashed assets may be cached', () => {
  const h = appResponseHeaders('text/html; charset=utf-8');
  assert.equal(h['Content-Security-Policy'], appCsp());
  assert.equal(h['X-Content-Type-Options'], 'nosniff');
  assert.equal(h['Cache-Control'], 'no-cache');
  assert.match(appResponseHeaders('text/javascript', { immutable: true })['Cache-Control']!, /immutable/);
});

test('tiles are readable cross-origin by the app origin only', () => {
  const h = tileResponseHeaders();
  assert.equal(h['Access-Control-Allow-Origin'], APP_ORIGIN);
  assert.equal(h['Content-Type'], 'image/jpeg');
});

test('network schemes are blocked, local schemes are not', () => {
  for (const u of ['http://example.org/', 'https://127.0.0.1:8080/x', 'ws://localhost/', 'wss://a.b/', 'ftp://files/x']) assert.equal(isBlockedNetworkUrl(u), true, u);
  for (const u of [APP_ENTRY_URL, 'wsi://slide/1/0/0_0.jpeg', 'devtools://devtools/bundled/x.html', 'data:,x', 'not a url']) assert.equal(isBlockedNetworkUrl(u), false, u);
  assert.deepEqual([...BLOCKED_URL_PATTERNS].sort(), ['ftp://*/*', 'http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']);
});

test('only app://gliofuse is the app; look-alikes are not', () => {
  assert.equal(isAppUrl(APP_ENTRY_URL), true);
  assert.equal(isAppUrl('app://gliofuse/assets/x.js'), true);
  for (const u of ['app://gliofuse.evil/', 'app://evil/', 'https://gliofuse/', 'app://user@gliofuse/', 'file:///index.html', 'wsi://gliofuse/', '']) {
    assert.equal(isAppUrl(u), false, u);
    assert.equal(navigationAllowed(u), false, u);
  }
});

test('the IPC sender must be the main frame of the app window on app://', () => {
  const good = { webContentsId: 7, frame: { url: APP_ENTRY_URL, isMainFrame: true } };
  assert.deepEqual(checkSender(good, { webContentsId: 7 }), { ok: true });
  const cases: [typeof good | { webContentsId: number; frame: null }, number | null, RegExp][] = [
    [good, null, /no application window/],
    [{ ...good, webContentsId: 8 }, 7, /not the application window/],
    [{ webContentsId: 7, frame: null }, 7, /frame is gone/],
    [{ webContentsId: 7, frame: { url: APP_ENTRY_URL, isMainFrame: false } }, 7, /subframe/],
    [{ webContentsId: 7, frame: { url: 'https://evil.example/', isMainFrame: true } }, 7, /not app:\/\/gliofuse/],
    [{ webContentsId: 7, frame: { url: 'file:///tmp/index.html', isMainFrame: true } }, 7, /not app:\/\/gliofuse/],
  ];
  for (const [sender, expected, reason] of cases) {
    const v = checkSender(sender, { webContentsId: expected });
    assert.equal(v.ok, false);
    if (!v.ok) assert.match(v.reason, reason);
  }
});

test('hardened web preferences: isolation, sandbox, no Node, web security on', () => {
  assert.equal(HARDENED_WEB_PREFERENCES.contextIsolation, true);
  assert.equal(HARDENED_WEB_PREFERENCES.sandbox, true);
  assert.equal(HARDENED_WEB_PREFERENCES.nodeIntegration, false);
  assert.equal(HARDENED_WEB_PREFERENCES.nodeIntegrationInSubFrames, false);
  assert.equal(HARDENED_WEB_PREFERENCES.nodeIntegrationInWorker, false);
  assert.equal(HARDENED_WEB_PREFERENCES.webSecurity, true);
  assert.equal(HARDENED_WEB_PREFERENCES.allowRunningInsecureContent, false);
  assert.equal(HARDENED_WEB_PREFERENCES.webviewTag, false);
});

test('no permission is ever granted; DevTools never in a packaged build', () => {
  for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown']) assert.equal(permissionAllowed(p), false, p);
  assert.equal(devToolsAllowed(true, {}), false);
  assert.equal(devToolsAllowed(true, { GLIOFUSE_DEVTOOLS: '1' }), false);
  assert.equal(devToolsAllowed(false, {}), true);
  assert.equal(devToolsAllowed(false, { GLIOFUSE_DEVTOOLS: '0' }), false);
});
