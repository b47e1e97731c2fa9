/** Patients: empty search state, register a patient with PHI, find them by MRN, edit. */
import { expect, test } from '@playwright/test';
import { ADMIN, rail, shot, signIn, unique, watchConsole } from './helpers.ts';

test('register a patient with identifying details, find and edit them', async ({ page }) => {
  const problems = watchConsole(page);
  await signIn(page, ADMIN);
  await rail(page, 'Patients').click();
  await expect(page.getByRole('heading', { name: 'Patients', level: 1 })).toBeVisible();

  const pseudonym = unique('GF-P');
  const mrn = unique('MRN');
  await page.getByRole('link', { name: 'New patient' }).click();
  await expect(page.getByRole('heading', { name: 'New patient' })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Identifying information (PHI)' })).toBeVisible();
  await page.getByLabel('Pseudonym').fill(pseudonym);
  await page.getByLabel(/Medical record number/).fill(mrn);
  await page.getByLabel(/Full name/).fill('Jane Example');
  await page.getByLabel(/^Sex/).selectOption('female');
  await page.getByLabel(/Birth year/).fill('1971');
  await shot(page, '05-patient-form');
  await page.getByRole('button', { name: 'Register patient' }).click();

  await expect(page.getByRole('heading', { name: pseudonym, level: 1 })).toBeVisible();
  await expect(page.getByText('Jane Example')).toBeVisible();
  await expect(page.getByText('No cases for this patient')).toBeVisible();
  await shot(page, '06-patient-page');

  // A duplicate pseudonym is refused with a readable message and nothing else changes.
  await rail(page, 'Patients').click();
  await page.getByRole('link', { name: 'New patient' }).click();
  await page.getByLabel('Pseudonym').fill(pseudonym);
  await page.getByRole('button', { name: 'Register patient' }).click();
  await expect(page.getByRole('alert')).toContainText(pseudonym);

  // Search by MRN (PHI) finds the patient; a search without hits shows the empty state.
  await rail(page, 'Patients').click();
  await page.getByLabel('Search patients').fill(mrn);
  await expect(page.getByRole('link', { name: pseudonym })).toBeVisible();
  await expect(page.locator('tbody tr')).toHaveCount(1);
  await shot(page, '07-patient-list-search');
  await page.getByLabel('Search patients').fill('no-such-patient-xyz');
  await expect(page.getByText('No patient matches')).toBeVisible();

  // Edit: change the birth year.
  await page.getByLabel('Search patients').fill(pseudonym);
  await page.getByRole('link', { name: pseudonym }).click();
  await page.getByRole('link', { name: 'Edit patient' }).click();
  await expect(page.getByLabel('Pseudonym')).toHaveValue(pseudonym);
  await page.getByLabel(/Birth year/).fill('1972');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { name: pseudonym, level: 1 })).toBeVisible();
  await expect(page.locator('.facts')).toContainText('1972');

  expect(problems).toEqual([]);
});
