/** Keyboard: every main control is reachable with Tab in a sensible order, focus is visible, Enter activates. */
import { expect, test, type Page } from '@playwright/test';
import { ADMIN, openApp, shot, watchConsole, type BrowserGlobals } from './helpers.ts';

/** Presses Tab up to `max` times and returns a short description of each focused element. */
async function tabSequence(page: Page, max: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    seen.push(
      await page.evaluate(() => {
        const { document } = globalThis as unknown as BrowserGlobals;
        const el = document.activeElement;
        if (!el || el === document.body) return 'body';
        const label = el.getAttribute('aria-label') ?? (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null) ?? el.textContent ?? '';
        return `${el.tagName.toLowerCase()}:${label.trim().replace(/\s+/g, ' ')}`;
      }),
    );
  }
  return seen;
}

async function focusRingVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as unknown as BrowserGlobals;
    const el = document.activeElement;
    if (!el) return false;
    const s = getComputedStyle(el);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || s.boxShadow !== 'none';
  });
}

test('sign-in form and the main layout are reachable by keyboard in order, with visible focus', async ({ page }) => {
  const problems = watchConsole(page);
  await openApp(page);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  // The username field has focus on arrival; type, Tab to the password, type, Tab to the button, Enter.
  await expect(page.getByLabel('Username', { exact: true })).toBeFocused();
  await page.keyboard.type(ADMIN.username);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeFocused();
  expect(await focusRingVisible(page)).toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('current-user')).toHaveText(ADMIN.displayName);

  // From the top of the page: skip link, the rail in order, the user's lock/sign-out, then the page's controls.
  // (A reload puts the browser's sequential-focus starting point back at the document start; the session stays.)
  await page.reload();
  await expect(page.getByTestId('current-user')).toHaveText(ADMIN.displayName);
  const seq = await tabSequence(page, 16);
  const expected = ['a:Skip to content', 'a:Worklist', 'a:Patients', 'a:Models', 'a:Audit log', 'a:Users', 'a:Settings', 'button:Lock', 'button:Sign out'];
  expect(seq.slice(0, expected.length)).toEqual(expected);
  const rest = seq.slice(expected.length);
  expect(rest).toContain('a:New case');
  expect(rest).toContain('a:All');
  expect(rest).toContain('a:Ready for review');
  await shot(page, '14-keyboard-focus');

  // Skip link moves focus to the content; Enter on a focused rail link navigates.
  await page.reload();
  await expect(page.getByTestId('current-user')).toHaveText(ADMIN.displayName);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients', exact: true }).focus();
  expect(await focusRingVisible(page)).toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Patients', level: 1 })).toBeVisible();
  // On the patient list the search box and "New patient" are reachable after the rail.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Patients', level: 1 })).toBeVisible();
  const seq2 = await tabSequence(page, 14);
  expect(seq2).toContain('a:New patient');
  expect(seq2).toContain('input:Search patients');
  expect(seq2.indexOf('a:New patient')).toBeLessThan(seq2.indexOf('input:Search patients'));

  expect(problems).toEqual([]);
});
