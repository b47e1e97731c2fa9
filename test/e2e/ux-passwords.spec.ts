/**
 * Issue 14 item 5: a role change asks for confirmation; an admin resets a password (audited); the user must choose
 * their own at the next sign-in; "Change my password" works for everyone.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, apiAs, rail, shot, signIn, unique, watchConsole } from './helpers.ts';

test('role change is confirmed, a reset password must be replaced at sign-in, and users change their own', async ({ page }) => {
  const problems = watchConsole(page);
  const admin = await apiAs(ADMIN);
  const username = unique('nina');
  const displayName = `Dr Nina ${username.slice(-4)}`;

  await signIn(page, ADMIN);
  await rail(page, 'Users').click();
  const form = page.getByRole('form', { name: 'Add an account' });
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Display name').fill(displayName);
  await form.getByLabel('Role').selectOption('pathologist');
  await form.getByLabel('Initial password').fill('given-by-admin-1');
  await form.getByRole('button', { name: 'Add account' }).click();
  await expect(form.getByRole('status')).toContainText(`Account ${username} created`);

  // Role change: nothing happens until confirmed; Cancel puts the select back.
  const roleSelect = page.getByRole('combobox', { name: `Role of ${username}` });
  await roleSelect.selectOption('viewer');
  const confirm = page.getByRole('group', { name: 'Confirm role change' });
  await expect(confirm).toContainText(`Change the role of ${username} from Pathologist to Viewer (read-only)?`);
  const roleOf = async () => (await admin('users.list', {})).users.find((u) => u.username === username)?.role;
  expect(await roleOf()).toBe('pathologist');
  await shot(page, '41-users-confirm-role-change');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(roleSelect).toHaveValue('pathologist');
  await roleSelect.selectOption('viewer');
  await confirm.getByRole('button', { name: 'Change role' }).click();
  await expect(confirm).toHaveCount(0);
  await expect.poll(roleOf).toBe('viewer');

  // Reset: a temporary password, with the consequence said.
  await page.getByRole('button', { name: `Reset password of ${username}` }).click();
  const reset = page.getByRole('form', { name: `Reset the password of ${username}` });
  await reset.getByLabel('Temporary password').fill('temporary-secret-5');
  await shot(page, '42-users-reset-password');
  await reset.getByRole('button', { name: 'Reset password' }).click();
  await expect(page.getByRole('status').filter({ hasText: `New password set for ${username}` })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  // The next sign-in shows only the "choose your own password" screen.
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill('temporary-secret-5');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Choose your own password' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await page.getByLabel('Current password').fill('temporary-secret-5');
  await page.getByLabel('New password', { exact: true }).fill(`${username}-mine`);
  await page.getByLabel('Repeat new password').fill(`${username}-mine`);
  await page.getByRole('button', { name: 'Change password and continue' }).click();
  await expect(page.getByRole('alert')).toContainText('must not contain the user name');
  await page.getByLabel('New password', { exact: true }).fill('only-i-know-this-1');
  await page.getByLabel('Repeat new password').fill('only-i-know-this-1');
  await shot(page, '43-forced-password-change');
  await page.getByRole('button', { name: 'Change password and continue' }).click();
  await expect(page.getByTestId('current-user')).toHaveText(displayName);
  await expect(page.getByRole('heading', { name: 'Worklist', level: 1 })).toBeVisible();

  // Later, from the rail.
  await page.getByRole('link', { name: 'Change my password' }).click();
  await expect(page.getByRole('heading', { name: 'Change my password', level: 1 })).toBeVisible();
  await page.getByLabel('Current password').fill('only-i-know-this-1');
  await page.getByLabel('New password', { exact: true }).fill('and-now-another-2');
  await page.getByLabel('Repeat new password').fill('and-now-another-2');
  await page.getByRole('button', { name: 'Change password', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your password was changed' })).toBeVisible();
  await shot(page, '44-change-my-password');

  const user = (await admin('users.list', {})).users.find((u) => u.username === username)!;
  const events = (await admin('audit.list', { action: 'user.password', entityType: 'user', entityId: String(user.id), limit: 10, offset: 0 })).events;
  expect(events.map((e) => `${e.action} by ${e.userName}`).reverse()).toEqual([
    `user.password_reset by ${ADMIN.displayName}`,
    `user.password_changed by ${displayName}`,
    `user.password_changed by ${displayName}`,
  ]);
  expect(problems).toEqual([]);
});
