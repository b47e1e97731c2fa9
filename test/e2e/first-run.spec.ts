/** First start on an empty database: the admin set-up screen, then sign-out, a failed and a good sign-in, lock/unlock. */
import { expect, test } from '@playwright/test';
import { ADMIN, openApp, shot, watchConsole } from './helpers.ts';
import { RUO_STATEMENT } from '../../src/shared/ruo.ts';

test('first run creates the administrator, then sign-in, lock and unlock work', async ({ page }) => {
  const problems = watchConsole(page);
  await openApp(page);

  // The token left the address bar as soon as the app read it.
  await expect(page).not.toHaveURL(/token=/);
  await expect(page.getByRole('heading', { name: 'Set up the administrator' })).toBeVisible();
  await expect(page.getByRole('note', { name: 'Intended use' })).toContainText(RUO_STATEMENT);
  await shot(page, '01-first-run-setup');

  await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
  await page.getByLabel('Display name').fill(ADMIN.displayName);
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Repeat password').fill('short');
  await page.getByRole('button', { name: 'Create administrator and sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('at least 10 characters');

  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Repeat password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create administrator and sign in' }).click();

  await expect(page.getByTestId('current-user')).toHaveText(ADMIN.displayName);
  await expect(page.getByTestId('current-role')).toHaveText('Administrator');
  await expect(page.getByRole('heading', { name: 'Worklist', level: 1 })).toBeVisible();
  await expect(page.getByText('No cases yet')).toBeVisible();
  await shot(page, '02-worklist-empty');

  // Sign out, then a wrong password is refused with a message, and the right one signs in.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await shot(page, '03-login-failed');
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('current-user')).toHaveText(ADMIN.displayName);

  // Lock: the lock screen hides the app until the password is entered again.
  await page.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByRole('heading', { name: 'Session locked' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await shot(page, '04-lock-screen');
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByTestId('current-user')).toHaveText(ADMIN.displayName);

  // A reload keeps the tab's session (one bridge session per tab, like one per window).
  await page.reload();
  await expect(page.getByTestId('current-user')).toHaveText(ADMIN.displayName);

  expect(problems).toEqual([]);
});
