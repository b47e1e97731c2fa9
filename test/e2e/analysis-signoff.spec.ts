/**
 * The whole review path through the UI as a pathologist: register a patient, open a case, import a real TCGA
 * genomic profile (../shared/data/tcga/all_dataset.csv, row TCGA-06-0174, read in place), analyse it with the
 * bundled reference package, enter and sign the layered diagnosis with the password, and export the PDF report.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { ADMIN, PATHOLOGIST, apiAs, ensureUser, registerPatientAndCase, shot, signIn, watchConsole } from './helpers.ts';
import { sharedFile } from '../helpers/shared-data.ts';
import { RUO_STATEMENT } from '../../src/shared/ruo.ts';

test('a pathologist analyses a genomic profile, signs the diagnosis and exports the PDF', async ({ page }) => {
  // Inference on 2 CI cores plus the PDF render: well above the default per-test budget.
  test.setTimeout(240_000);
  const problems = watchConsole(page);
  await ensureUser(PATHOLOGIST, 'pathologist');
  const admin = await apiAs(ADMIN);
  const { packages } = await admin('models.list', {});
  const usable = packages.filter((p) => p.active && p.verification.ok && p.validatedModalities.includes('genomics'));
  expect(usable.map((p) => p.id), 'the bundled reference package must be installed and verified').toContain('umeml-gbmlgg-genomic-ref');

  await signIn(page, PATHOLOGIST);

  // Patient and case through the forms.
  await registerPatientAndCase(page, 'A');
  const tabs = page.getByRole('navigation', { name: 'Case sections' });

  // Genomics: check the TCGA row against the package, then import it.
  await tabs.getByRole('link', { name: 'Genomics', exact: true }).click();
  await expect(page.getByText('No genomic profile for this case')).toBeVisible();
  await page.getByLabel('Profile file (CSV or JSON)').setInputFiles(sharedFile('tcga', 'all_dataset.csv'));
  await page.getByLabel(/Row \/ patient ID/).fill('TCGA-06-0174');
  await page.getByRole('button', { name: 'Check file' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Valid for' })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Import profile' }).click();
  await expect(page.getByText(/Imported \S+-G\d+-[0-9a-f]{6}:/)).toBeVisible();

  // Analysis: run the model and wait for the stored result.
  await tabs.getByRole('link', { name: 'Analysis', exact: true }).click();
  await expect(page.getByText('No analysis result yet')).toBeVisible();
  await page.getByRole('button', { name: 'Analyse', exact: true }).click();
  const frame = page.locator('section.an-ai-frame');
  await expect(frame).toBeVisible({ timeout: 180_000 });
  await expect(frame.getByText('AI-suggested · research model output, not a diagnosis')).toBeVisible();
  for (const block of ['Histological grade (TCGA, pre-2021) — AI', 'Class', 'Survival']) {
    await expect(frame.getByRole('region', { name: block, exact: true })).toBeVisible();
  }
  await expect(frame.getByRole('region', { name: 'Histological grade (TCGA, pre-2021) — AI', exact: true }).locator('.an-top')).toHaveText(/\S+ — /);
  await expect(frame.getByRole('region', { name: 'Survival', exact: true })).toContainText('Risk group:');
  await expect(page.getByText(RUO_STATEMENT).first()).toBeVisible();
  await expect(page.getByText(/^Analysis #\d+ (failed|cancelled)/)).toHaveCount(0);
  // Genomics-only input with a package not validated for pathology: the slide block says the slide is not evidence
  // and offers no patch gallery or heatmap (the evidence branch would show "No tissue patches…" or the gallery).
  const slideBlock = frame.getByRole('region', { name: 'Slide attention', exact: true });
  await expect(slideBlock).toContainText(/not (used|validated)/);
  await expect(slideBlock).not.toContainText('No tissue patches were analysed');
  await expect(slideBlock.getByRole('link', { name: 'Heatmap in the viewer' })).toHaveCount(0);
  await shot(page, '21-analysis-result');

  // Report: layered diagnosis starting from the AI suggestion, then sign with the password again.
  await tabs.getByRole('link', { name: 'Report', exact: true }).click();
  await expect(page.getByText('Diagnosis (WHO CNS5 layered report) · not signed')).toBeVisible();
  await page.getByRole('button', { name: 'Start from the AI suggestion' }).click();
  await expect(page.getByRole('radio', { name: 'Accept the AI suggestion' })).toBeChecked();
  await expect(page.getByLabel('Integrated diagnosis')).not.toHaveValue('');
  const integrated = await page.getByLabel('Integrated diagnosis').inputValue();
  await page.getByLabel('Histological classification').fill('Diffuse glioma (resection)');
  const grade = page.getByLabel('CNS WHO grade');
  if ((await grade.inputValue()) === '') await grade.selectOption('not assigned');
  await page.getByLabel('Molecular information').fill('Genomic profile TCGA-06-0174 (copy number and mutation calls from TCGA).');
  await page.getByLabel(/^Comment/).fill('End-to-end sign-off test.');
  await page.getByRole('button', { name: 'Sign…' }).click();
  await page.getByLabel('Your password (to sign)').fill(PATHOLOGIST.password);
  await page.getByRole('button', { name: 'Sign diagnosis' }).click();
  await expect(page.getByText('Diagnosis (WHO CNS5 layered report) · signed')).toBeVisible();
  const signature = page.locator('.rp-signature').first();
  await expect(signature).toContainText(`Signed by ${PATHOLOGIST.displayName}`);
  await expect(signature).toContainText('verified');
  await expect(page.locator('.rp-signed')).toContainText(integrated);
  await expect(page.locator('.rp-signed')).toContainText('AI suggestion accepted');

  // PDF export: the browser download is a real PDF whose sha256 is the one the page shows.
  const downloaded = page.waitForEvent('download', { timeout: 90_000 });
  await page.getByRole('button', { name: 'Export PDF report' }).click();
  const download = await downloaded;
  const done = page.getByRole('status').filter({ hasText: /Exported \S+\.pdf/ });
  await expect(done).toBeVisible({ timeout: 90_000 });
  const fileName = download.suggestedFilename();
  expect(fileName).toMatch(/\.pdf$/);
  await expect(done).toContainText(fileName);
  const bytes = fs.readFileSync(await download.path());
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const sha = createHash('sha256').update(bytes).digest('hex');
  await expect(done).toContainText(`sha256 ${sha.slice(0, 16)}`);
  await expect(page.getByRole('table').getByRole('cell', { name: 'signed', exact: true })).toBeVisible();
  await shot(page, '22-signed-report');

  // The server agrees: the case's review is signed and the export is on record with the same hash.
  const { reports } = await admin('report.list', { caseId: Number(new URL(page.url()).hash.match(/cases\/(\d+)/)?.[1]) });
  expect(reports.some((r) => r.sha256 === sha && r.signed)).toBe(true);
  expect(problems).toEqual([]);
});
