/**
 * Issue 14 items 6 and 2: the system sets Analysing / Ready for review and the header follows without a reload; by hand a
 * case is only archived or reopened, with a reason; Analyse on a closed case is disabled and says why.
 */
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { ADMIN, PATHOLOGIST, apiAs, ensureUser, shot, signIn, unique, watchConsole } from './helpers.ts';
import { sharedFile } from '../helpers/shared-data.ts';
import { formatProbability } from '../../src/shared/probability.ts';

const MODEL = 'umeml-gbmlgg-genomic-ref';

test('status follows the analysis without a reload; archive and reopen need a reason; Analyse says why it is disabled', async ({ page }) => {
  test.setTimeout(240_000);
  const problems = watchConsole(page);
  await ensureUser(PATHOLOGIST, 'pathologist');
  const admin = await apiAs(ADMIN);
  const patient = await admin('patients.create', { pseudonym: unique('GF-ST') });
  const accession = unique('S25-ST');
  const kase = await admin('cases.create', { patientId: patient.id, accession });
  await admin('genomics.import', { caseId: kase.id, fileName: 'all_dataset.csv', content: fs.readFileSync(sharedFile('tcga', 'all_dataset.csv'), 'utf8'), rowId: 'TCGA-06-0174', modelId: MODEL });

  const pathologistApi = await apiAs(PATHOLOGIST);
  await signIn(page, PATHOLOGIST);
  await page.goto(`${new URL(page.url()).origin}${new URL(page.url()).pathname}#/cases/${kase.id}/overview`);
  const header = page.locator('header.case-header');
  await expect(header.getByRole('heading', { name: `Case ${accession}` })).toBeVisible();
  await expect(header.locator('.status')).toHaveText('New');

  // No "Move case to" with system statuses: only Archive, with the reason required.
  await expect(page.getByLabel('Move case to')).toHaveCount(0);
  const archive = page.getByRole('form', { name: 'Archive case' });
  await expect(archive).toContainText('Analysing and Ready for review are set when an analysis runs');
  await archive.getByRole('button', { name: 'Archive case' }).click();
  await expect(archive.getByRole('alert')).toHaveText(/Say why the case is archived/);

  // Analyse: the header follows the system's moves with no reload.
  await page.getByRole('navigation', { name: 'Case sections' }).getByRole('link', { name: 'Analysis', exact: true }).click();
  await page.getByRole('button', { name: 'Analyse', exact: true }).click();
  await expect(header.locator('.status')).toHaveText(/Analysing|Ready for review/);
  await expect(page.locator('section.an-ai-frame')).toBeVisible({ timeout: 180_000 });
  await expect(header.locator('.status')).toHaveText('Ready for review');
  await shot(page, '45-status-follows-analysis');

  // Issue 14 item 2: no "1.00"/"0.00" claims of certainty, and Arabic grade numerals on the Analysis and Report tabs.
  const frame = page.locator('section.an-ai-frame');
  const { ai } = await pathologistApi('review.get', { caseId: kase.id });
  const top = ai!.result.molecularClass.probs.find((p) => p.label === ai!.result.molecularClass.top)!;
  await expect(frame.getByRole('region', { name: 'Class', exact: true }).locator('.an-top')).toHaveText(`${top.display} — ${formatProbability(top.p)}`);
  // (The Kaplan–Meier axis legitimately reads 0.00–1.00; the probability blocks must not.)
  for (const block of [/^Class$/, /^(Grade|Histological grade.* AI)$/]) {
    await expect(frame.getByRole('region', { name: block })).not.toContainText(/\b[01]\.00\b/);
  }
  if (top.p >= 0.995) await expect(frame.getByRole('region', { name: 'Class', exact: true })).toContainText('≥ 0.99');
  await shot(page, '48-probability-ge-099');
  await page.getByRole('navigation', { name: 'Case sections' }).getByRole('link', { name: 'Report', exact: true }).click();
  await expect(page.getByText('Diagnosis (WHO CNS5 layered report) · not signed')).toBeVisible();
  await expect(page.locator('#main')).not.toContainText(/\bgrade (I|II|III|IV)\b/);
  await expect(page.locator('#main')).not.toContainText(/\b[01]\.00\b/);

  // Archive with a reason: the header says Archived and Analyse is disabled with the reason beside it.
  await page.getByRole('navigation', { name: 'Case sections' }).getByRole('link', { name: 'Overview', exact: true }).click();
  await archive.getByLabel('Reason').fill('Duplicate accession; the material is in another case');
  await archive.getByRole('button', { name: 'Archive case' }).click();
  await expect(header.locator('.status')).toHaveText('Archived');
  const reopen = page.getByRole('form', { name: 'Reopen case' });
  await expect(reopen).toContainText('Reopening returns the case to Ready for review');
  await shot(page, '46-status-archive-reopen');
  await page.getByRole('navigation', { name: 'Case sections' }).getByRole('link', { name: 'Analysis', exact: true }).click();
  const analyse = page.getByRole('button', { name: 'Analyse', exact: true });
  await expect(analyse).toBeDisabled();
  await expect(analyse).toHaveAccessibleDescription(/archived; reopen it/);
  await shot(page, '47-analyse-disabled-why');

  await page.getByRole('navigation', { name: 'Case sections' }).getByRole('link', { name: 'Overview', exact: true }).click();
  await reopen.getByLabel('Reason').fill('Not a duplicate after all');
  await reopen.getByRole('button', { name: 'Reopen case' }).click();
  await expect(header.locator('.status')).toHaveText('Ready for review');
  await expect(page.getByRole('list', { name: 'Status timeline' })).toContainText('Not a duplicate after all');

  // The server applies the same rule to a forged call.
  await expect(pathologistApi('cases.setStatus', { id: kase.id, status: 'new', note: 'start over' })).rejects.toThrow(/CONFLICT/);
  expect(problems).toEqual([]);
});
