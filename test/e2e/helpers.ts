/** Shared e2e helpers: the bridge's address, known accounts, signing in through the UI, API calls, screenshots. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';
import type { Channel, Envelope, RequestOf, ResponseOf } from '../../src/shared/contract/index.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS = path.join(REPO_ROOT, 'test-results', 'screenshots');

export interface BridgeInfo {
  url: string;
  origin: string;
  token: string;
  db: string;
}

export function bridge(): BridgeInfo {
  const raw = process.env.GLIOFUSE_E2E_BRIDGE;
  if (!raw) throw new Error('GLIOFUSE_E2E_BRIDGE is not set; run the specs through test/e2e/playwright.config.ts');
  return JSON.parse(raw) as BridgeInfo;
}

export const ADMIN = { username: 'ada.admin', displayName: 'Ada Admin', password: 'correct-horse-battery-1' };
export const PATHOLOGIST = { username: 'paul.path', displayName: 'Dr Paul Path', password: 'pathologist-pass-2' };
export const VIEWER = { username: 'vera.viewer', displayName: 'Vera Viewer', password: 'viewer-password-3' };

/**
 * A Node-side API client on its own bridge session (for arranging data and checking what the server did); `b` is
 * a spec's own bridge, else the shared one.
 */
export async function apiSession(b: BridgeInfo = bridge()): Promise<<C extends Channel>(channel: C, req: RequestOf<C>) => Promise<Envelope<ResponseOf<C>>>> {
  const headers = { Authorization: `Bearer ${b.token}`, 'Content-Type': 'application/json' };
  const s = (await (await fetch(`${b.origin}/session`, { method: 'POST', headers, body: '{}' })).json()) as Envelope<{ sessionId: string }>;
  if (!s.ok) throw new Error(s.error.message);
  const sid = s.value.sessionId;
  return async (channel, req) => {
    const res = await fetch(`${b.origin}/api/${channel}`, { method: 'POST', headers: { ...headers, 'X-Gliofuse-Session': sid }, body: JSON.stringify(req) });
    return (await res.json()) as Envelope<ResponseOf<typeof channel>>;
  };
}

/** Signs in through the API as `who` and returns a client; unwraps envelopes (throws on errors). */
export async function apiAs(who: { username: string; password: string }, b?: BridgeInfo) {
  const raw = await apiSession(b);
  const login = await raw('auth.login', { username: who.username, password: who.password });
  if (!login.ok) throw new Error(`login as ${who.username} failed: ${login.error.message}`);
  return async <C extends Channel>(channel: C, req: RequestOf<C>): Promise<ResponseOf<C>> => {
    const env = await raw(channel, req);
    if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`);
    return env.value;
  };
}

/**
 * Creates an account the way an administrator does and lets its user replace the administrator's initial password
 * with `who.password` (an account created by an admin must change its password at the first sign-in).
 */
export async function addUserReady(who: { username: string; displayName: string; password: string }, role: 'admin' | 'pathologist' | 'viewer', b?: BridgeInfo, by: { username: string; password: string } = ADMIN): Promise<void> {
  const admin = await apiAs(by, b);
  const initial = `initial-${Math.random().toString(36).slice(2, 12)}`;
  await admin('users.add', { username: who.username, displayName: who.displayName, role, password: initial });
  const self = await apiAs({ username: who.username, password: initial }, b);
  await self('auth.changePassword', { currentPassword: initial, newPassword: who.password });
}

/** Makes sure an account exists (created by the admin through the API, its own password already chosen). */
export async function ensureUser(who: { username: string; displayName: string; password: string }, role: 'admin' | 'pathologist' | 'viewer') {
  const admin = await apiAs(ADMIN);
  const { users } = await admin('users.list', {});
  if (!users.some((u) => u.username === who.username)) await addUserReady(who, role);
}

/** Opens the app with the launch URL (token in the fragment) in a fresh tab. */
export async function openApp(page: Page, b: BridgeInfo = bridge()): Promise<void> {
  await page.goto(b.url);
}

export async function signIn(page: Page, who: { username: string; password: string; displayName: string }, b?: BridgeInfo): Promise<void> {
  await openApp(page, b);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Username', { exact: true }).fill(who.username);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('current-user')).toHaveText(who.displayName);
}

export async function shot(page: Page, name: string): Promise<void> {
  // Let skeleton shimmer and focus rings settle so screenshots are reviewable.
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false, animations: 'disabled' });
}

/** Listens for CSP violations and page errors; the tests assert none happened. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  return problems;
}

export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e4)}`;

/** A link in the left rail (page bodies have breadcrumb links with similar names). */
export function rail(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

/**
 * Registers a patient and opens a case for it through the forms (as a pathologist does), ending on the case page.
 * Pseudonym and accession get `prefix` (unique per run).
 */
export async function registerPatientAndCase(page: Page, prefix: string): Promise<{ pseudonym: string; accession: string }> {
  await rail(page, 'Patients').click();
  await page.getByRole('link', { name: 'New patient' }).click();
  const pseudonym = unique(`GF-${prefix}`);
  await page.getByLabel('Pseudonym').fill(pseudonym);
  await page.getByRole('button', { name: 'Register patient' }).click();
  await expect(page.getByRole('heading', { name: pseudonym, level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'New case' }).click();
  const accession = unique(`S25-${prefix}`);
  await page.getByLabel('Accession number').fill(accession);
  await page.getByLabel(/^Specimen/).fill('Resection');
  await page.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { name: `Case ${accession}` })).toBeVisible();
  return { pseudonym, accession };
}

/**
 * The few browser globals the specs touch inside page.evaluate. The root tsconfig type-checks tests for Node
 * (no DOM lib, on purpose: main-process code must not see DOM types), so in-page code reads them as
 * `globalThis as unknown as BrowserGlobals` — a type-only cast that is erased before Playwright serialises it.
 */
export interface DomElement {
  tagName: string;
  id: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  blur(): void;
}
export interface BrowserGlobals {
  document: { activeElement: DomElement | null; body: DomElement; querySelector(sel: string): DomElement | null };
  getComputedStyle(el: DomElement): { outlineStyle: string; outlineWidth: string; boxShadow: string };
  sessionStorage: { getItem(key: string): string | null };
  gliofuse?: Record<string, unknown>;
}
