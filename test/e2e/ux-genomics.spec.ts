/**
 * Issue 14 items 3 and 4: the genomics import uses the main column, offers the file's IDs to search, rounds values
 * and says what they mean (EGFR 2 → amplified, IDH 0 → wild-type, +7/−10); age at diagnosis is said before the
 * analysis ("will derive … years") and tagged "derived" in the result, agreeing with the analysis's own counts.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, PATHOLOGIST, apiAs, ensureUser, shot, signIn, unique, watchConsole } from './helpers.ts';
import { sharedFile } from '../helpers/shared-data.ts';

test('genomics: main column, searchable row IDs, rounded values with interpretation, age derived and said so', async ({ page }) => {
  test.setTimeout(240_000);
  const problems = watchConsole(page);
  await ensureUser(PATHOLOGIST, 'pathologist');
  const admin = await apiAs(ADMIN);
  const patient = await admin('patients.create', { pseudonym: unique('GF-GX'), phi: { birthYear: 1952 } });
  const kase = await admin('cases.create', { patientId: patient.id, accession: unique('S25-GX'), collectedOn: '2020-06-30' });

  await signIn(page, PATHOLOGIST);
  await page.goto(`${new URL(page.url()).origin}${new URL(page.url()).pathname}#/cases/${kase.id}/genomics`);
  const importer = page.getByRole('group', { name: 'Import a genomic profile' });
  await expect(importer).toBeVisible();
  // The form has the main column's width (it was a ~330 px side column that cut the model picker).
  expect((await importer.boundingBox())!.width).toBeGreaterThan(900);

  await page.getByLabel('Profile file (CSV or JSON)').setInputFiles(sharedFile('tcga', 'all_dataset.csv'));
  const rowField = page.getByLabel(/^Row \/ patient ID in the file/);
  await expect(page.getByText(/The file holds \d+ rows; type to search its \d+ IDs \(column “TCGA ID”\)/)).toBeVisible();
  await expect(page.getByText('Row / patient ID in the file').locator('..')).not.toContainText('optional');
  await expect(page.getByRole('button', { name: 'Check file' })).toBeDisabled();
  await expect(page.getByText('Choose the row / patient ID first.')).toBeVisible();
  expect(await page.locator('#genomics-row-ids option[value="TCGA-06-0174"]').count()).toBe(1);
  await rowField.fill('TCGA-06-0174');
  await page.getByRole('button', { name: 'Check file' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Valid for' })).toBeVisible({ timeout: 30_000 });

  // Age: said before the analysis, and shown as derived (not "Imputed, 49.29").
  await expect(importer.getByRole('note').filter({ hasText: 'The analysis will derive age at diagnosis: 68 years' })).toBeVisible();
  const fields = importer.getByRole('table', { name: 'Genomic fields' });
  const ageRow = fields.getByRole('row').filter({ hasText: 'age_at_diagnosis' });
  await expect(ageRow).toContainText('Derived at analysis');
  await expect(ageRow).toContainText('68');
  await expect(ageRow).not.toContainText('Imputed');

  // All fields: rounded values and their meaning.
  await importer.getByRole('button', { name: /^Show all \d+ fields$/ }).click();
  await expect(fields.getByRole('columnheader', { name: 'Interpretation' })).toBeVisible();
  await expect(fields.getByRole('row').filter({ hasText: 'cnv_egfr' })).toContainText('amplified');
  await expect(fields.getByRole('row').filter({ hasText: 'idh_mutation' })).toContainText('wild-type');
  await expect(fields.getByRole('row').filter({ hasText: 'arm_7p' }).or(fields.getByRole('row').filter({ hasText: /\b7p\b/ })).first()).toContainText('gain');
  await expect(importer.getByRole('list', { name: 'Combined calls' })).toContainText('EGFR amplification: yes');
  const values = await fields.locator('td.num').allTextContents();
  expect(values.filter((v) => /\d\.\d{3,}/.test(v)), 'values are rounded to two decimals').toEqual([]);
  await shot(page, '52-genomics-import-main-column');

  await importer.getByRole('button', { name: 'Import profile' }).click();
  await expect(page.getByText(/^Imported .+: \d+ observed, \d+ imputed fields\./)).toBeVisible();

  // The analysis derives the age, and the result says "derived" where it is shown.
  await page.getByRole('navigation', { name: 'Case sections' }).getByRole('link', { name: 'Analysis', exact: true }).click();
  await page.getByRole('button', { name: 'Analyse', exact: true }).click();
  const frame = page.locator('section.an-ai-frame');
  await expect(frame).toBeVisible({ timeout: 180_000 });
  await expect(page.getByText(/Age at diagnosis is unknown/)).toHaveCount(0);
  const { ai } = await (await apiAs(PATHOLOGIST))('review.get', { caseId: kase.id });
  const top = [...ai!.result.explanations.genomicAttributions].sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution)).slice(0, 15);
  if (top.some((a) => a.featureId === 'age_at_diagnosis')) {
    await expect(frame.getByRole('region', { name: 'Genomic attributions' })).toContainText('derived: 68 years (collection date − birth year)');
  }
  await shot(page, '53-analysis-age-derived');
  expect(problems).toEqual([]);
});
