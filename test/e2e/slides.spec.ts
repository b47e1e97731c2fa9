/**
 * Slides: attach a real whole-slide file by path, view it (tiles through the bridge's /wsi/ route), scale bar and
 * magnification, tissue-mask and tile-grid layers, and the label image hidden until an editor asks (audited).
 */
import { expect, test } from '@playwright/test';
import { ADMIN, VIEWER, apiAs, ensureUser, shot, signIn, unique, watchConsole } from './helpers.ts';
import { sharedFile } from '../helpers/shared-data.ts';

const SLIDE = sharedFile('wsi', 'CMU-1-Small-Region.svs');

test('attach a slide by path and view it with its layers; the label stays hidden until asked for', async ({ page }) => {
  test.setTimeout(180_000);
  const problems = watchConsole(page);
  const admin = await apiAs(ADMIN);
  const patient = await admin('patients.create', { pseudonym: unique('GF-S') });
  const kase = await admin('cases.create', { patientId: patient.id, accession: unique('S25-S') });
  // Slides are shown under a pseudonymised label, never their file name (issue 12 §6).
  const slideLabel = new RegExp(`^${patient.pseudonym}-S1-[0-9a-f]{6}$`);

  await signIn(page, ADMIN);
  await page.goto(`${new URL(page.url()).origin}/#/cases/${kase.id}`);
  await expect(page.getByText('No slides attached')).toBeVisible();

  // A path that is not a slide is refused with a readable message.
  await page.getByLabel('Attach a slide by path').fill('/etc/hostname');
  await page.getByRole('button', { name: 'Attach slide' }).click();
  await expect(page.getByRole('form', { name: 'Attach a slide' }).getByRole('alert')).toBeVisible();

  await page.getByLabel('Attach a slide by path').fill(SLIDE);
  await page.getByRole('button', { name: 'Attach slide' }).click();
  await expect(page.getByRole('form', { name: 'Attach a slide' }).getByRole('status')).toContainText(new RegExp(`Attached ${patient.pseudonym}-S1-[0-9a-f]{6}`), { timeout: 60_000 });
  await expect(page.getByRole('link', { name: slideLabel })).toBeVisible();
  await expect(page.getByRole('cell', { name: /0\.499 µm\/px/ })).toBeVisible();
  await shot(page, '15-case-with-slide');

  // Open the viewer: tiles come from /wsi/ and the readouts fill in.
  const tile = page.waitForResponse((r) => /\/wsi\/\d+\/\d+\/\d+_\d+\.jpeg/.test(r.url()) && r.status() === 200);
  await page.getByRole('link', { name: slideLabel }).click();
  expect((await tile).headers()['content-type']).toBe('image/jpeg');
  await expect(page.getByTestId('scale-bar')).toContainText(/µm|mm/);
  await expect(page.getByTestId('magnification')).toContainText('×');
  const viewerPanel = page.getByRole('complementary', { name: 'Layers and slide information' });
  await expect(viewerPanel).toContainText('aperio');
  await expect(viewerPanel).toContainText('2,220 × 2,967 px');

  // Keyboard zoom on the focused viewer changes the magnification readout.
  const before = await page.getByTestId('magnification').innerText();
  await page.locator('.openseadragon-canvas').first().focus();
  await page.keyboard.press('Equal');
  await page.keyboard.press('Equal');
  await expect.poll(() => page.getByTestId('magnification').innerText()).not.toBe(before);

  // Layers: tissue mask and tile grid, each with a legend.
  await viewerPanel.getByLabel('Tissue mask').check();
  await expect(viewerPanel).toContainText(/% of the slide/, { timeout: 60_000 });
  await viewerPanel.getByLabel('Tile grid').check();
  await expect(viewerPanel).toContainText(/tiles of 224 px/, { timeout: 60_000 });
  await page.locator('.openseadragon-canvas').first().focus();
  await page.keyboard.press('0');
  await page.waitForTimeout(800); // let the zoom animation settle for a reviewable screenshot
  await shot(page, '16-slide-viewer-layers');

  // The label is not shown until an editor asks, and asking is audited.
  await expect(viewerPanel.locator('img.assoc-img')).toHaveCount(0);
  await viewerPanel.getByRole('button', { name: 'Show' }).first().click();
  await viewerPanel.getByRole('button', { name: /\(audited\)/ }).click();
  await expect(viewerPanel.locator('img.assoc-img')).toHaveCount(1);
  const audit = await admin('audit.list', { action: 'slide', limit: 20 });
  expect(audit.events.some((e) => /associated|label/i.test(`${e.action} ${JSON.stringify(e.after)}`))).toBe(true);

  // A viewer sees the slide but no attach field and no way to open the label.
  await ensureUser(VIEWER, 'viewer');
  const viewerPage = await page.context().browser()!.newPage();
  await signIn(viewerPage, VIEWER);
  await viewerPage.goto(`${new URL(viewerPage.url()).origin}/#/cases/${kase.id}`);
  await expect(viewerPage.getByRole('link', { name: slideLabel })).toBeVisible();
  await expect(viewerPage.getByLabel('Attach a slide by path')).toHaveCount(0);
  await viewerPage.getByRole('link', { name: slideLabel }).click();
  const vPanel = viewerPage.getByRole('complementary', { name: 'Layers and slide information' });
  await expect(vPanel).toContainText('only pathologists and administrators');
  await expect(vPanel.getByRole('button', { name: 'Show' })).toHaveCount(0);
  await viewerPage.close();

  expect(problems).toEqual([]);
});
