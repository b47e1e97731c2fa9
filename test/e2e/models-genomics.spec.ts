/**
 * Models page and the Genomics tab. With a verified package that accepts genomics, a real TCGA row
 * (../shared/data/tcga/all_dataset.csv, read in place) is checked and imported through the UI; without one, both
 * screens say so and the import form is not offered.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, apiAs, rail, shot, signIn, unique, watchConsole } from './helpers.ts';
import { sharedFile } from '../helpers/shared-data.ts';

test('models page and genomic profile import', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  const admin = await apiAs(ADMIN);
  const { packages } = await admin('models.list', {});
  const usable = packages.filter((p) => p.active && p.verification.ok && p.validatedModalities.includes('genomics'));

  await signIn(page, ADMIN);
  await rail(page, 'Models').click();
  await expect(page.getByRole('heading', { name: 'Models', level: 1 })).toBeVisible();
  if (packages.length === 0) {
    await expect(page.getByText('No model packages installed')).toBeVisible();
  } else {
    const first = packages[0]!;
    await page.getByRole('link', { name: first.name ?? first.id }).first().click();
    await expect(page.getByRole('heading', { name: 'Model card', exact: true })).toBeVisible();
  }
  await shot(page, '17-models');

  const patient = await admin('patients.create', { pseudonym: unique('GF-G') });
  const kase = await admin('cases.create', { patientId: patient.id, accession: unique('S25-G') });
  await page.goto(`${new URL(page.url()).origin}/#/cases/${kase.id}/genomics`);
  await expect(page.getByText('No genomic profile for this case')).toBeVisible();

  if (usable.length === 0) {
    await expect(page.getByText('No verified model package accepts genomic input')).toBeVisible();
    await expect(page.getByLabel('Profile file (CSV or JSON)')).toHaveCount(0);
    await shot(page, '18-genomics-no-package');
  } else {
    await page.getByLabel('Profile file (CSV or JSON)').setInputFiles(sharedFile('tcga', 'all_dataset.csv'));
    await page.getByLabel(/Row \/ patient ID/).fill('TCGA-02-0001');
    await expect(page.getByRole('button', { name: 'Import profile' })).toBeDisabled();
    await page.getByRole('button', { name: 'Check file' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Valid for' })).toBeVisible({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Import profile' }).click();
    await expect(page.getByText(/Imported \S+-G\d+-[0-9a-f]{6}:/)).toBeVisible();
    await expect(page.getByRole('heading', { name: new RegExp(`${patient.pseudonym}-G1-[0-9a-f]{6}`) })).toBeVisible();
    await shot(page, '18-genomics-imported');
    const audit = await admin('audit.list', { patientPseudonym: patient.pseudonym, limit: 50 });
    expect(audit.events.some((e) => e.action.startsWith('genomics.'))).toBe(true);
  }
  expect(problems).toEqual([]);
});
