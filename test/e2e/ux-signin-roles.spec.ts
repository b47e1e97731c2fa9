/**
 * Issue 14 item 1: signing out and in again starts the next user on the Worklist, a page the role may not see
 * redirects, and the renderer never calls a channel the role cannot use (no `access.denied` event in the audit log).
 */
import { expect, test } from '@playwright/test';
import { ADMIN, PATHOLOGIST, apiAs, ensureUser, rail, shot, signIn, watchConsole } from './helpers.ts';

test('after the admin signs out from Users, the pathologist lands on the Worklist and nothing is denied', async ({ page }) => {
  const problems = watchConsole(page);
  await ensureUser(PATHOLOGIST, 'pathologist');
  const admin = await apiAs(ADMIN);
  const deniedBefore = (await admin('audit.list', { action: 'access.denied', limit: 1, offset: 0 })).total;

  await signIn(page, ADMIN);
  await rail(page, 'Users').click();
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/#\/users$/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  await page.getByLabel('Username', { exact: true }).fill(PATHOLOGIST.username);
  await page.getByLabel('Password', { exact: true }).fill(PATHOLOGIST.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('current-user')).toHaveText(PATHOLOGIST.displayName);
  await expect(page.getByRole('heading', { name: 'Worklist', level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/#\/worklist$/);
  await expect(page.getByText('Only administrators manage accounts')).toHaveCount(0);
  await shot(page, '40-signin-lands-on-worklist');

  // Typing the admin-only address redirects to the Worklist instead of showing a refusal.
  await page.evaluate(() => { (globalThis as unknown as { location: { hash: string } }).location.hash = '#/users'; });
  await expect(page).toHaveURL(/#\/worklist$/);
  await expect(page.getByRole('heading', { name: 'Worklist', level: 1 })).toBeVisible();
  // The audit log page offers the user filter to everyone; for a pathologist it must not list accounts.
  await rail(page, 'Audit log').click();
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  await page.waitForLoadState('networkidle');

  const denied = await admin('audit.list', { action: 'access.denied', limit: 50, offset: 0 });
  expect(denied.total, `access.denied events: ${denied.events.map((e) => `${e.userName} ${e.entityId}`).join('; ')}`).toBe(deniedBefore);
  expect(problems).toEqual([]);
});
