/**
 * Issue 14 item 9 (report and survival): the survival risk in words, readable chart labels, a multi-line
 * "Histological classification", Save draft keeps the signing panel open, and the signed diagnosis as stacked layers.
 */
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { ADMIN, PATHOLOGIST, apiAs, ensureUser, shot, signIn, unique, watchConsole } from './helpers.ts';
import { sharedFile } from '../helpers/shared-data.ts';

test('risk in words; histological classification multi-line; Save draft keeps signing open; signed layers stacked', async ({ page }) => {
  test.setTimeout(240_000);
  const problems = watchConsole(page);
  await ensureUser(PATHOLOGIST, 'pathologist');
  const admin = await apiAs(ADMIN);
  const path = await apiAs(PATHOLOGIST);
  const patient = await admin('patients.create', { pseudonym: unique('GF-RP') });
  const kase = await admin('cases.create', { patientId: patient.id, accession: unique('S25-RP') });
  await admin('genomics.import', { caseId: kase.id, fileName: 'all_dataset.csv', content: fs.readFileSync(sharedFile('tcga', 'all_dataset.csv'), 'utf8'), rowId: 'TCGA-06-0174', modelId: 'umeml-gbmlgg-genomic-ref' });
  const job = await path('analysis.start', { caseId: kase.id });
  await expect.poll(async () => (await path('analysis.list', { caseId: kase.id })).analyses.find((a) => a.id === job.id)?.state, { timeout: 180_000 }).toBe('succeeded');

  await signIn(page, PATHOLOGIST);
  const base = `${new URL(page.url()).origin}${new URL(page.url()).pathname}`;
  await page.goto(`${base}#/cases/${kase.id}/analysis`);
  const survival = page.getByRole('region', { name: 'Survival', exact: true });
  await expect(survival.getByTestId('risk-words')).toHaveText(/^Risk score −?\d+\.\d{2}, (below|between|at or above) .*: the \w+ group\. Cut-offs: /);
  await expect(survival).not.toContainText(/Model risk -?\d/);

  await page.goto(`${base}#/cases/${kase.id}/report`);
  await page.getByRole('button', { name: 'Start from the AI suggestion' }).click();
  const histology = page.getByLabel('Histological classification');
  expect(await histology.evaluate((el) => (el as unknown as { tagName: string }).tagName)).toBe('TEXTAREA');
  await histology.fill('Diffuse glioma, resection\nwith necrosis and microvascular proliferation');
  const grade = page.getByLabel('CNS WHO grade');
  if ((await grade.inputValue()) === '') await grade.selectOption('not assigned');
  await page.getByLabel('Molecular information').fill('Genomic profile TCGA-06-0174 (TCGA copy number and mutation calls).');
  await page.getByRole('button', { name: 'Sign…' }).click();
  const password = page.getByLabel('Your password (to sign)');
  await expect(password).toBeVisible();
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText(/Draft saved \d{4}-\d{2}-\d{2} /)).toBeVisible();
  await expect(password).toBeVisible(); // the signing panel stays open after saving the draft
  await expect(histology).toHaveValue('Diffuse glioma, resection\nwith necrosis and microvascular proliferation');

  await password.fill(PATHOLOGIST.password);
  await page.getByRole('button', { name: 'Sign diagnosis' }).click();
  const layers = page.getByRole('list', { name: 'Diagnosis layers' });
  await expect(layers.getByRole('listitem')).toHaveCount(4);
  await expect(layers.getByRole('listitem').nth(0)).toContainText('Layer 1 · Integrated diagnosis');
  await expect(layers.getByRole('listitem').nth(1)).toContainText('with necrosis and microvascular proliferation');
  await expect(layers.getByRole('listitem').nth(2)).toContainText('CNS WHO grade');
  await expect(layers.getByRole('listitem').nth(3)).toContainText('Layer 4 · Molecular information');
  await shot(page, '58-signed-layers');
  expect(problems).toEqual([]);
});
