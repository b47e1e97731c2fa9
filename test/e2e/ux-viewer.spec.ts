/**
 * Issue 14 item 8 (the parts that are done): at 1280×720 the case header folds to one line on the Slide tab so the
 * scale bar and navigator stay above the fold and the toolbar does not wrap; 5/10/20/40× presets (keys 1–4) and a
 * typed magnification; tooltips name the shortcuts; "Loading tiles…" while tiles arrive.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, apiAs, shot, signIn, unique, watchConsole } from './helpers.ts';
import { sharedFile } from '../helpers/shared-data.ts';

test.use({ viewport: { width: 1280, height: 720 } });

test('viewer at 1280×720: everything above the fold, magnification presets and typed, tooltips, loading indicator', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  const admin = await apiAs(ADMIN);
  const patient = await admin('patients.create', { pseudonym: unique('GF-VW') });
  const kase = await admin('cases.create', { patientId: patient.id, accession: unique('S25-VW') });
  const slide = await admin('slides.attach', { caseId: kase.id, path: sharedFile('wsi', 'CMU-1-Small-Region.svs') });

  await signIn(page, ADMIN);
  // Tiles arrive slowly here, so the loading indicator is observable.
  await page.route(/\/wsi\/\d+\/\d+\/\d+_\d+\.jpeg/, async (route) => {
    await new Promise((r) => setTimeout(r, 600));
    await route.continue();
  });
  await page.goto(`${new URL(page.url()).origin}${new URL(page.url()).pathname}#/cases/${kase.id}/slide?slide=${slide.id}`);
  await expect(page.getByTestId('tiles-loading')).toBeVisible();
  await expect(page.getByTestId('tiles-loading')).toHaveCount(0, { timeout: 30_000 });
  await page.unroute(/\/wsi\/\d+\/\d+\/\d+_\d+\.jpeg/);

  // One-line case header; scale bar and navigator inside the 720 px window; toolbar on one row.
  const header = page.locator('header.case-header');
  await expect(header).toContainText(patient.pseudonym);
  await expect(header.locator('.status')).toHaveText('New');
  expect((await header.boundingBox())!.height).toBeLessThan(64);
  for (const el of [page.getByTestId('scale-bar'), page.locator('.navigator').first()]) {
    const box = (await el.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(720);
  }
  const toolbar = page.getByRole('toolbar', { name: 'Viewer controls' });
  expect((await toolbar.boundingBox())!.height).toBeLessThan(50);
  await expect(toolbar.getByRole('button', { name: 'Zoom in' })).toHaveAttribute('title', 'Zoom in (+)');
  await expect(toolbar.getByRole('button', { name: 'Fit the whole slide' })).toHaveAttribute('title', /\(0 or Home\)/);
  await shot(page, '56-viewer-1280x720');

  // Presets and a typed magnification set the readout to what was asked.
  const mag = page.getByTestId('magnification');
  await toolbar.getByRole('button', { name: '10×' }).click();
  await expect(mag).toHaveText(/^10\.0×/);
  await page.getByLabel('Magnification to show').fill('12.5');
  await page.getByLabel('Magnification to show').press('Enter');
  await expect(mag).toHaveText(/^12\.5×/);
  await page.locator('.openseadragon-canvas').first().focus();
  await page.keyboard.press('3');
  await expect(mag).toHaveText(/^20\.0×/);
  await shot(page, '57-viewer-20x-preset');
  expect(problems).toEqual([]);
});
