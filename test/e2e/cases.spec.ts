/** Cases: open a case for a patient, see the case page, change status, find it on the worklist, see its history. */
import { expect, test } from '@playwright/test';
import { ADMIN, apiAs, rail, shot, signIn, unique, watchConsole } from './helpers.ts';
import { RUO_STATEMENT } from '../../src/shared/ruo.ts';

test('open a case, move it along, and find it on the worklist and in its history', async ({ page }) => {
  const problems = watchConsole(page);
  const admin = await apiAs(ADMIN);
  const patient = await admin('patients.create', { pseudonym: unique('GF-C') });

  await signIn(page, ADMIN);
  await page.goto(`${new URL(page.url()).origin}/#/patients/${patient.id}`);
  await page.getByRole('link', { name: 'New case' }).click();
  await expect(page.getByRole('heading', { name: 'New case' })).toBeVisible();
  const accession = unique('S25');
  await page.getByLabel('Accession number').fill(accession);
  await page.getByLabel(/^Specimen/).fill('Resection');
  await page.getByLabel(/^Site/).fill('Left frontal lobe');
  await page.getByLabel(/Collected on/).fill('2025-03-04');
  await page.getByRole('button', { name: 'Open case' }).click();

  // The case header says whose case it is, what it is, its status and the RUO statement.
  await expect(page.getByRole('heading', { name: `Case ${accession}` })).toBeVisible();
  const header = page.locator('.case-header');
  await expect(header).toContainText(patient.pseudonym);
  await expect(header).toContainText('Resection');
  await expect(header).toContainText('New');
  await expect(header).toContainText(RUO_STATEMENT);
  await expect(page.getByRole('navigation', { name: 'Case sections' })).toBeVisible();
  await expect(page.getByTestId('genomics-area')).toBeVisible();
  await shot(page, '08-case-overview');

  // A status change by hand is an archive (or reopen) with a reason: the timeline gets a second step. Analysing and
  // Ready for review are the system's (issue 14 item 6, ux-case-status.spec.ts).
  await page.getByRole('form', { name: 'Archive case' }).getByLabel('Reason').fill('slides scanned');
  await page.getByRole('button', { name: 'Archive case' }).click();
  await expect(page.getByRole('list', { name: 'Status timeline' }).locator('li')).toHaveCount(2);
  await expect(header).toContainText('Archived');
  await expect(page.getByText('“slides scanned”')).toBeVisible();

  // History tab: the case's own audit trail.
  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByRole('cell', { name: 'case.created' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'case.status_changed' })).toBeVisible();
  await shot(page, '09-case-history');

  // Worklist: the case is listed under its status.
  await rail(page, 'Worklist').click();
  await page.getByRole('link', { name: 'Archived' }).click();
  await expect(page.getByRole('link', { name: accession })).toBeVisible();
  await page.getByRole('link', { name: 'New', exact: true }).click();
  await expect(page.getByRole('link', { name: accession })).toHaveCount(0);
  await page.getByRole('link', { name: 'All', exact: true }).click();
  await expect(page.getByRole('link', { name: accession })).toBeVisible();
  await shot(page, '10-worklist');

  expect(problems).toEqual([]);
});
