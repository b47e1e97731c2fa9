/**
 * Issue 14 item 7: the slide the analysis will use is shown beside Analyse and chosen by the user; a wrong slide is
 * detached with a reason (audited, the file stays); the case History tab lists slide, genomics and analysis events.
 */
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { ADMIN, PATHOLOGIST, apiAs, ensureUser, shot, signIn, unique, watchConsole } from './helpers.ts';
import { sharedFile } from '../helpers/shared-data.ts';

test('choose the slide beside Analyse, detach a wrong one with a reason, and see it all in the case history', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  await ensureUser(PATHOLOGIST, 'pathologist');
  const admin = await apiAs(ADMIN);
  const patient = await admin('patients.create', { pseudonym: unique('GF-SL') });
  const accession = unique('S25-SL');
  const kase = await admin('cases.create', { patientId: patient.id, accession });
  const wrong = await admin('slides.attach', { caseId: kase.id, path: sharedFile('wsi', 'CMU-1-Small-Region.svs') });
  const right = await admin('slides.attach', { caseId: kase.id, path: sharedFile('wsi', 'openslide-python-small.svs') });
  await admin('genomics.import', { caseId: kase.id, fileName: 'all_dataset.csv', content: fs.readFileSync(sharedFile('tcga', 'all_dataset.csv'), 'utf8'), rowId: 'TCGA-06-0174', modelId: 'umeml-gbmlgg-genomic-ref' });

  await signIn(page, PATHOLOGIST);
  const base = `${new URL(page.url()).origin}${new URL(page.url()).pathname}`;
  const tabs = page.getByRole('navigation', { name: 'Case sections' });

  // Two slides: the choice is beside Analyse, newest selected.
  await page.goto(`${base}#/cases/${kase.id}/analysis`);
  const slideSelect = page.getByLabel('Slide', { exact: true });
  await expect(slideSelect).toHaveValue(String(right.id));
  await expect(slideSelect.locator('option')).toHaveText([`${right.fileName} (newest)`, wrong.fileName]);
  await slideSelect.selectOption(String(wrong.id));
  await expect(slideSelect).toHaveValue(String(wrong.id));
  await shot(page, '49-analysis-slide-choice');

  // Detach the wrong one, with a reason.
  await tabs.getByRole('link', { name: 'Overview', exact: true }).click();
  await page.getByRole('button', { name: `Detach ${wrong.fileName}` }).click();
  const form = page.getByRole('form', { name: `Detach ${wrong.fileName}` });
  await form.getByRole('button', { name: 'Detach slide' }).click();
  await expect(form.getByRole('alert')).toContainText('Say why the slide is detached');
  await form.getByLabel('Reason').fill('Attached to the wrong case (belongs to the previous accession)');
  await shot(page, '50-detach-slide');
  await form.getByRole('button', { name: 'Detach slide' }).click();
  await expect(form).toHaveCount(0);
  const slideTable = page.getByRole('table', { name: 'Slides of this case' });
  await expect(slideTable.getByRole('link', { name: wrong.fileName })).toHaveCount(0);
  await expect(slideTable.getByRole('link', { name: right.fileName })).toBeVisible();
  expect(fs.existsSync(sharedFile('wsi', 'CMU-1-Small-Region.svs'))).toBe(true);

  // One slide left: named beside Analyse.
  await tabs.getByRole('link', { name: 'Analysis', exact: true }).click();
  await expect(page.getByTestId('analysis-slide')).toHaveText(`Slide: ${right.fileName}`);

  // History: slide and genomics events of this case, with the reason.
  await tabs.getByRole('link', { name: 'History', exact: true }).click();
  const history = page.locator('.tab-panel');
  await expect(history).toContainText('Attached to the wrong case (belongs to the previous accession)');
  for (const kind of [/slide\.detached|Slide detached/, /slide\.attached|Slide attached/, /genomics\.imported|Genomic profile imported/]) {
    await expect(history.getByText(kind).first()).toBeVisible();
  }
  await shot(page, '51-case-history-records');
  expect(problems).toEqual([]);
});
