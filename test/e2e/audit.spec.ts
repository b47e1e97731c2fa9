/** The audit viewer shows what the other actions wrote, verifies the chain on demand, and filters. */
import { expect, test } from '@playwright/test';
import { ADMIN, apiAs, rail, shot, signIn, unique, watchConsole } from './helpers.ts';

test('audit entries of patient and case changes are visible, filterable and the chain verifies', async ({ page }) => {
  const problems = watchConsole(page);
  const admin = await apiAs(ADMIN);
  const pseudonym = unique('GF-A');
  const patient = await admin('patients.create', { pseudonym, phi: { mrn: unique('MRN'), fullName: 'Audit Person' } });
  await admin('cases.create', { patientId: patient.id, accession: unique('S25-A') });

  await signIn(page, ADMIN);
  await rail(page, 'Audit log').click();
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  await expect(page.getByTestId('chain-status')).toHaveText('Hash chain intact');

  // Newest first: the sign-in that just happened and the changes made above are listed.
  await expect(page.getByRole('cell', { name: 'auth.login' }).first()).toBeVisible();
  await expect(page.getByRole('cell', { name: 'patient.created' }).first()).toBeVisible();
  await expect(page.getByRole('cell', { name: 'case.created' }).first()).toBeVisible();

  await page.getByRole('button', { name: 'Verify now' }).click();
  await expect(page.getByTestId('chain-status')).toHaveText('Hash chain intact');
  await expect(page.locator('.chain-card')).toContainText(/verified \d{4}-\d{2}-\d{2}/);

  // Filter by patient pseudonym: only that patient's events (creation of patient and case, reads).
  await page.getByLabel('Patient pseudonym').fill(pseudonym);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const rows = page.locator('.table-audit tbody tr');
  await expect(page.getByRole('cell', { name: 'patient.created' })).toHaveCount(1);
  await expect.poll(async () => (await rows.allInnerTexts()).every((t) => t.includes(pseudonym))).toBe(true);

  // Details: before/after of the creation, without PHI values.
  const created = page.locator('tr', { has: page.getByRole('cell', { name: 'patient.created' }) });
  await created.getByRole('button', { name: /Details of event/ }).click();
  await expect(page.locator('.audit-detail')).toContainText(pseudonym);
  await expect(page.locator('.audit-detail')).not.toContainText('Audit Person');
  await shot(page, '11-audit-log');

  // Filter by action prefix and entity type.
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel('Action starts with').fill('auth.');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByRole('cell', { name: 'auth.login' }).first()).toBeVisible();
  const actions = page.locator('.table-audit tbody tr td:nth-child(4)');
  await expect.poll(async () => (await actions.allInnerTexts()).every((t) => t.startsWith('auth.'))).toBe(true);
  await expect(page).toHaveURL(/action=auth\./);

  expect(problems).toEqual([]);
});
