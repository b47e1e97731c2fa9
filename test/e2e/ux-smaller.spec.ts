/**
 * Issue 14 item 9 (the smaller ones that are done): no internal function names in error messages, the audit chain
 * verified on open, routine reads hidden until asked for, each entity type once, the model card's tables as tables, "New case" everywhere, the window
 * title naming the case.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, apiAs, rail, shot, signIn, unique, watchConsole } from './helpers.ts';

test('smaller first-use findings: messages, audit chain on open, entity types, model card tables, wording, window title', async ({ page }) => {
  const problems = watchConsole(page);
  await signIn(page, ADMIN);

  // A request the server refuses by its schema: the message names the field and the rule, not "users.add".
  await rail(page, 'Users').click();
  const form = page.getByRole('form', { name: 'Add an account' });
  await form.getByLabel('Username').fill('no spaces allowed');
  await form.getByLabel('Display name').fill('Someone');
  await form.getByLabel('Initial password').fill('long-enough-password-1');
  await form.getByRole('button', { name: 'Add account' }).click();
  await expect(form.getByRole('alert')).toContainText('Please check username');
  await expect(form.getByRole('alert')).not.toContainText('users.add');
  await expect(form.getByRole('alert')).not.toContainText('Invalid request');

  // The audit chain is verified when the page opens.
  await rail(page, 'Audit log').click();
  await expect(page.locator('.chain-card')).toContainText(/[1-9][\d,]* events verified/);
  await expect(page.locator('.chain-card')).toContainText(/verified \d{4}-\d{2}-\d{2}/);
  const types = await page.getByLabel('Entity type').locator('option').allTextContents();
  expect(types).not.toContain('cases');
  expect(types).not.toContain('patients');
  expect(new Set(types).size).toBe(types.length);
  // Routine reads are hidden (and counted) until asked for.
  await expect(page.getByTestId('reads-hidden')).toContainText(/\d+ routine reads hidden/);
  await expect(page.locator('.table-audit tbody td').filter({ hasText: /^read\./ })).toHaveCount(0);
  await shot(page, '54-audit-verified-on-open');
  await page.getByLabel('Show routine reads (opening a patient, case or list)').check();
  await expect(page.locator('.table-audit tbody td').filter({ hasText: /^read\./ }).first()).toBeVisible();

  // The model card's Markdown tables are tables, not raw pipes.
  await rail(page, 'Models').click();
  await page.getByRole('link', { name: /UMEML reference/ }).first().click();
  await expect(page.getByRole('heading', { name: 'Model card', exact: true })).toBeVisible();
  const card = page.locator('.markdown');
  await expect(card.locator('table').first()).toBeVisible();
  expect(await card.locator('pre').filter({ hasText: /^\|/ }).count()).toBe(0);
  await card.locator('table').first().scrollIntoViewIfNeeded();
  await shot(page, '55-model-card-tables');

  // One name for one action, and the window title names the open case.
  await rail(page, 'Worklist').click();
  await expect(page.getByRole('link', { name: 'New case' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open a case' })).toHaveCount(0);
  const admin = await apiAs(ADMIN);
  const p = await admin('patients.create', { pseudonym: unique('GF-T') });
  const accession = unique('S25-T');
  const c = await admin('cases.create', { patientId: p.id, accession });
  await page.goto(`${new URL(page.url()).origin}${new URL(page.url()).pathname}#/cases/${c.id}/overview`);
  await expect(page).toHaveTitle(`Case ${accession} · ${p.pseudonym} — Gliofuse`);
  await rail(page, 'Worklist').click();
  await expect(page).toHaveTitle('Gliofuse');
  expect(problems).toEqual([]);
});
