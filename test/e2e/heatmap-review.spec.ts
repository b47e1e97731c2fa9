/**
 * The slide-evidence review path through the UI as a pathologist: open a case, attach a real TCGA glioma slide
 * (TCGA-06-0174 ROI pyramid, read in place from ../shared/data), import the same patient's genomic row, analyse,
 * REVIEW THE HEATMAP in the viewer (layer on/off, legend, opacity, threshold, top-patch gallery that navigates the
 * viewer), sign the diagnosis with the password and export the PDF, read back with pdftotext.
 *
 * The bundled reference package is not validated for pathology (so it shows no heatmap as evidence); this spec
 * installs a TEST FIXTURE package instead — the tiny random-weight UMEML-shaped model of the analysis integration
 * tests, declared validated for pathology, with the real MobileNetV2 tile encoder from ../shared/data/models. It is
 * built in a temp folder, installed with `gliofuse models import` (the app's install path, audited) into this
 * spec's own bridge data folder, and never shipped. Its outputs are meaningless; the test checks the UI, not them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { REPO_ROOT, addUserReady, apiAs, apiSession, registerPatientAndCase, shot, signIn, watchConsole } from './helpers.ts';
import { startBridgeProcess, type BridgeProcess } from './bridge-process.ts';
import { sharedFile } from '../helpers/shared-data.ts';
import { buildAnalysisPackage, ENCODER_FILE } from '../integration/analysis/fixtures/analysis-package.ts';
import { pdfPages } from '../integration/report/fixtures/pdf-tools.ts';
import { RUO_STATEMENT } from '../../src/shared/ruo.ts';
import { HEATMAP_NORMALISATION, HEATMAP_QUANTITY } from '../../src/main/analysis/explanations.ts';

const FIXTURE_ID = 'test-fixture-umeml-pathology';
const FIXTURE_NAME = 'TEST FIXTURE: tiny random-weight UMEML (pathology validated, e2e only)';
const SLIDE = sharedFile('wsi', 'tcga-glioma-roi', 'TCGA-06-0174_roi_pyramid.tif');
// Slides are shown and stored under a pseudonymised label (<pseudonym>-S<n>-<sha256 prefix>), never the file name.
const SLIDE_LABEL = /\S+-S1-[0-9a-f]{6}/;
const ADMIN = { username: 'heat.admin', displayName: 'Heat Admin', password: 'heat-admin-pass-1' };
const PATHOLOGIST = { username: 'hana.path', displayName: 'Dr Hana Path', password: 'heat-pathologist-2' };

/** What the heatmap overlay canvas currently shows (the overlay is drawn by the viewer, not by OpenSeadragon). */
interface OverlayStats {
  painted: number;
  meanAlpha: number;
  white: number;
}
/** Type-only view of the few DOM calls made inside page.evaluate (the test tsconfig has no DOM lib). */
interface OverlayCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
async function overlay(page: Page): Promise<OverlayStats> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
    const c = doc.querySelector('canvas.viewer-overlay') as OverlayCanvas | null;
    const ctx = c?.getContext('2d');
    if (!c || !ctx || c.width === 0 || c.height === 0) return { painted: 0, meanAlpha: 0, white: 0 };
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    let alpha = 0;
    let white = 0;
    for (let i = 0; i < px.length; i += 4) {
      const a = px[i + 3] ?? 0;
      if (a === 0) continue;
      painted++;
      alpha += a;
      // Pure white is never a viridis colour: it is the focus box around an opened patch.
      if (px[i] === 255 && px[i + 1] === 255 && px[i + 2] === 255) white++;
    }
    return { painted, meanAlpha: painted ? alpha / painted : 0, white };
  });
}

async function centre(page: Page): Promise<{ x: number; y: number } | null> {
  const m = (await page.getByTestId('viewer-centre').innerText()).match(/centre \((-?\d+), (-?\d+)\)/);
  return m ? { x: Number(m[1]), y: Number(m[2]) } : null;
}

/** The viewer settles on the centre of a level-0 square (within a few pixels: OpenSeadragon animates). */
async function expectCentredOn(page: Page, p: { x: number; y: number; size: number }): Promise<void> {
  await expect.poll(async () => {
    const c = await centre(page);
    return c ? Math.max(Math.abs(c.x - (p.x + p.size / 2)), Math.abs(c.y - (p.y + p.size / 2))) : Infinity;
  }, { timeout: 15_000 }).toBeLessThanOrEqual(3);
}

test('a pathologist reviews the attention heatmap of a real slide, signs and exports the PDF', async ({ page }) => {
  // Tile encoding + inference on 2 CI cores plus the PDF render.
  test.setTimeout(300_000);
  const problems = watchConsole(page);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-heatmap-'));
  const db = path.join(dir, 'heatmap.sqlite');
  const dataDir = path.join(dir, 'data');
  let bridge: BridgeProcess | null = null;
  try {
    // The fixture package, built outside the app's folders; its manifest name says what it is.
    const staged = buildAnalysisPackage(path.join(dir, 'staging'), { id: FIXTURE_ID, validatedModalities: ['pathology', 'genomics', 'clinical'], seed: 7 });
    fs.writeFileSync(path.join(staged.dir, 'manifest.json'), `${JSON.stringify({ ...staged.manifest, name: FIXTURE_NAME }, null, 2)}\n`);

    bridge = await startBridgeProcess(db, dataDir, { env: { GLIOFUSE_ENCODER_PATH: ENCODER_FILE } });
    const setup = await (await apiSession(bridge.info))('auth.setupAdmin', ADMIN);
    expect(setup.ok, 'first-run admin set-up on the fresh database').toBe(true);
    const admin = await apiAs(ADMIN, bridge.info);
    await addUserReady(PATHOLOGIST, 'pathologist', bridge.info, ADMIN); // this bridge's own administrator

    // Install it the way an operator does, next to the running app: `gliofuse models import` (verifies, copies, audits).
    const imported = JSON.parse(execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'gliofuse.js'), '--db', db, '--as', ADMIN.username, '--json', 'models', 'import', staged.dir], {
      cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_DATA_DIR: dataDir, GLIOFUSE_USER: '' },
    })) as { id: string; dir: string; audited: boolean };
    expect(imported).toMatchObject({ id: FIXTURE_ID, audited: true });
    expect(path.resolve(imported.dir)).toBe(path.join(dataDir, 'models', FIXTURE_ID));
    const { packages } = await admin('models.list', {});
    const fixture = packages.find((p) => p.id === FIXTURE_ID);
    expect(fixture, 'the running bridge sees the imported package').toMatchObject({ active: true, source: 'user', name: FIXTURE_NAME, verification: { ok: true } });
    expect(fixture?.validatedModalities).toContain('pathology');

    await signIn(page, PATHOLOGIST, bridge.info);

    // Patient and case through the forms.
    await registerPatientAndCase(page, 'H');
    const caseId = Number(new URL(page.url()).hash.match(/cases\/(\d+)/)?.[1]);
    expect(caseId).toBeGreaterThan(0);
    const tabs = page.getByRole('navigation', { name: 'Case sections' });

    // A real slide, attached by path (opened with OpenSlide, hashed, registered; the file stays where it is).
    await tabs.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByLabel('Attach a slide by path').fill(SLIDE);
    await page.getByRole('button', { name: 'Attach slide' }).click();
    await expect(page.getByRole('form', { name: 'Attach a slide' }).getByRole('status')).toContainText(new RegExp(`Attached ${SLIDE_LABEL.source}`), { timeout: 60_000 });
    await expect(page.getByRole('link', { name: SLIDE_LABEL }).first()).toBeVisible();
    await expect(page.getByText(path.basename(SLIDE))).toHaveCount(0);

    // The same patient's genomic row, checked against the fixture package's schema.
    await tabs.getByRole('link', { name: 'Genomics', exact: true }).click();
    await page.getByLabel('Check against model package').selectOption(FIXTURE_ID);
    await page.getByLabel('Profile file (CSV or JSON)').setInputFiles(sharedFile('tcga', 'all_dataset.csv'));
    await page.getByLabel(/Row \/ patient ID/).fill('TCGA-06-0174');
    await page.getByRole('button', { name: 'Check file' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Valid for ${FIXTURE_ID}` })).toBeVisible({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Import profile' }).click();
    await expect(page.getByText(/Imported \S+-G\d+-[0-9a-f]{6}:/)).toBeVisible();

    // Analyse with the fixture package: slide + genomics.
    await tabs.getByRole('link', { name: 'Analysis', exact: true }).click();
    await expect(page.getByText('No analysis result yet')).toBeVisible();
    // (The label wraps the select, so its accessible name also carries the chosen option.)
    await page.getByRole('combobox', { name: /^Model\b/ }).selectOption(FIXTURE_ID);
    await page.getByRole('button', { name: 'Analyse', exact: true }).click();
    const frame = page.locator('section.an-ai-frame');
    await expect(frame).toBeVisible({ timeout: 240_000 });
    await expect(page.getByText(/^Analysis #\d+ (failed|cancelled)/)).toHaveCount(0);
    await expect(frame.getByText('AI-suggested · research model output, not a diagnosis')).toBeVisible();
    await expect(page.getByText(RUO_STATEMENT).first()).toBeVisible();

    // Pathology is validated and used: no "unvalidated modality" warning, the slide is evidence.
    await expect(page.getByText(/not validated for pathology/)).toHaveCount(0);
    await expect(page.getByText('The slide pathway is not used as evidence for this result.')).toHaveCount(0);
    const contributions = frame.getByRole('region', { name: 'Modality contributions', exact: true });
    await expect(contributions).toContainText('Pathology');
    await expect(contributions).not.toContainText('Pathology (not used)');
    await page.getByText('Provenance (model, hashes, provider, parameters)').click();
    const provenance = page.locator('details.an-provenance');
    await expect(provenance).toContainText(/Validated modalities\s*pathology, genomics, clinical/);
    await expect(provenance).toContainText(/Modalities used\s*pathology, genomics/);
    await expect(provenance).toContainText(new RegExp(`Model\\s*${FIXTURE_ID}`));
    await expect(provenance).toContainText(SLIDE_LABEL);

    // The server's stored result, to compare the UI with.
    const { analyses } = await admin('analysis.list', { caseId });
    const done = analyses.find((a) => a.state === 'succeeded');
    expect(done?.modelId).toBe(FIXTURE_ID);
    const job = await admin('analysis.get', { id: done!.id });
    const ex = job.result!.explanations;
    expect(ex.pathologyIsEvidence).toBe(true);
    expect(ex.heatmap).not.toBeNull();
    const patches = ex.topPatches;
    expect(patches.length).toBeGreaterThan(1);

    // Top-patch gallery on the Analysis tab: one thumbnail per patch, cut from the slide's own tiles.
    const attention = frame.getByRole('region', { name: 'Slide attention', exact: true });
    const gallery = attention.getByRole('list', { name: 'Top patches by attention' });
    await expect(gallery.getByRole('listitem')).toHaveCount(patches.length);
    const first = patches[0]!;
    await expect(gallery.getByRole('button').first()).toHaveAccessibleName(new RegExp(`^#1 at \\(${Math.round(first.x)}, ${Math.round(first.y)}\\) · score`));
    await expect.poll(() => gallery.locator('img').evaluateAll((imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(patches.length);
    await attention.evaluate((el) => (el as unknown as { scrollIntoView(o: { block: string }): void }).scrollIntoView({ block: 'start' }));
    await shot(page, '23-heatmap-analysis-evidence');

    // Review the heatmap in the viewer.
    await attention.getByRole('link', { name: 'Heatmap in the viewer' }).click();
    await expect(page.getByTestId('viewer-centre')).toHaveText(/centre \(\d+, \d+\)/, { timeout: 30_000 });
    const home = await centre(page);
    const panel = page.getByRole('complementary', { name: 'Layers and slide information' });
    // Tissue mask and tile grid stay off, so the panel's only sliders, outputs and legend are the heatmap's.
    await expect(panel.getByRole('checkbox', { name: 'Tissue mask' })).not.toBeChecked();
    await expect(panel.getByRole('checkbox', { name: 'Tile grid' })).not.toBeChecked();
    const toggle = panel.getByRole('checkbox', { name: 'Attention heatmap (AI)' });
    await expect(toggle).toBeChecked();
    await expect(panel).toContainText(`Shows ${HEATMAP_QUANTITY}.`);
    await expect(panel).toContainText(`Normalisation: ${HEATMAP_NORMALISATION}.`);
    await expect(panel).toContainText(`From analysis #${done!.id} (${FIXTURE_ID}`);
    await expect(panel).toContainText(/low \(.+\).*high \(.+\)/);
    await expect.poll(async () => (await overlay(page)).painted, { timeout: 15_000 }).toBeGreaterThan(500);
    const shown = await overlay(page);
    expect(shown.white, 'no focus box before a patch is opened').toBe(0);

    // On/off.
    await toggle.uncheck();
    await expect.poll(async () => (await overlay(page)).painted).toBe(0);
    await toggle.check();
    await expect.poll(async () => (await overlay(page)).painted).toBe(shown.painted);

    // Opacity 55 % -> 100 %: the same cells, more opaque.
    const opacity = panel.getByRole('slider', { name: 'Opacity' });
    await expect(opacity).toHaveValue('0.55');
    await opacity.focus();
    await page.keyboard.press('End');
    await expect(opacity).toHaveValue('1');
    await expect(panel.locator('output').first()).toHaveText('100 %');
    await expect.poll(async () => (await overlay(page)).meanAlpha).toBeGreaterThan(shown.meanAlpha + 60);
    expect((await overlay(page)).painted).toBe(shown.painted);

    // Threshold 0 -> 50 %: cells below half the range are cleared, and the legend says so.
    const threshold = panel.getByRole('slider', { name: 'Hide below' });
    await threshold.focus();
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
    await expect(threshold).toHaveValue('0.5');
    await expect(panel).toContainText('Cells below 50 % of that range are hidden.');
    await expect.poll(async () => (await overlay(page)).painted).toBeLessThan(shown.painted);
    expect((await overlay(page)).painted).toBeGreaterThan(0); // the top of the range is still drawn
    await threshold.focus();
    await page.keyboard.press('Home');
    await expect.poll(async () => (await overlay(page)).painted).toBe(shown.painted);

    // The gallery in the viewer: clicking a patch moves the viewer there and outlines it.
    const viewerGallery = panel.getByRole('list', { name: 'Top patches in this slide' });
    await expect(viewerGallery.getByRole('listitem')).toHaveCount(patches.length);
    const second = patches[1]!;
    const magBefore = await page.getByTestId('magnification').innerText();
    await viewerGallery.getByRole('button').nth(1).click();
    await expect(page).toHaveURL(new RegExp(`[?&]x=${Math.round(second.x)}&y=${Math.round(second.y)}&s=${Math.round(second.size)}`));
    await expectCentredOn(page, second);
    expect(await centre(page)).not.toEqual(home);
    await expect(page.getByTestId('magnification')).not.toHaveText(magBefore);
    await expect(viewerGallery.getByRole('button').nth(1)).toHaveAttribute('aria-current', 'location');
    await expect.poll(async () => (await overlay(page)).white, { timeout: 10_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(700); // let the zoom animation settle for a reviewable screenshot
    await shot(page, '24-heatmap-review');

    // And from the Analysis tab's gallery: the first patch opens in the viewer.
    await tabs.getByRole('link', { name: 'Analysis', exact: true }).click();
    await page.getByRole('list', { name: 'Top patches by attention' }).getByRole('button').first().click();
    await expect(page).toHaveURL(new RegExp(`/cases/${caseId}/slide\\?.*x=${Math.round(first.x)}&y=${Math.round(first.y)}&s=${Math.round(first.size)}`));
    await expectCentredOn(page, first);
    await expect(page.getByRole('complementary', { name: 'Layers and slide information' }).getByRole('list', { name: 'Top patches in this slide' }).getByRole('button').first())
      .toHaveAttribute('aria-current', 'location');

    // Sign: layered diagnosis from the AI suggestion, password again.
    await tabs.getByRole('link', { name: 'Report', exact: true }).click();
    await expect(page.getByText('Diagnosis (WHO CNS5 layered report) · not signed')).toBeVisible();
    await page.getByRole('button', { name: 'Start from the AI suggestion' }).click();
    await expect(page.getByRole('radio', { name: 'Accept the AI suggestion' })).toBeChecked();
    await page.getByLabel('Histological classification').fill('Diffuse glioma (resection)');
    const grade = page.getByLabel('CNS WHO grade');
    if ((await grade.inputValue()) === '') await grade.selectOption('not assigned');
    await page.getByLabel('Molecular information').fill('Genomic profile TCGA-06-0174 (copy number and mutation calls from TCGA).');
    await page.getByLabel(/^Comment/).fill('Heatmap reviewed in the viewer (test-fixture model, e2e).');
    await page.getByRole('button', { name: 'Sign…' }).click();
    await page.getByLabel('Your password (to sign)').fill(PATHOLOGIST.password);
    await page.getByRole('button', { name: 'Sign diagnosis' }).click();
    await expect(page.getByText('Diagnosis (WHO CNS5 layered report) · signed')).toBeVisible();
    await expect(page.locator('.rp-signature').first()).toContainText(`Signed by ${PATHOLOGIST.displayName}`);

    // Export the PDF and read it back.
    const downloaded = page.waitForEvent('download', { timeout: 90_000 });
    await page.getByRole('button', { name: 'Export PDF report' }).click();
    const download = await downloaded;
    const status = page.getByRole('status').filter({ hasText: /Exported \S+\.pdf/ });
    await expect(status).toBeVisible({ timeout: 90_000 });
    const bytes = fs.readFileSync(await download.path());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const sha = createHash('sha256').update(bytes).digest('hex');
    await expect(status).toContainText(`sha256 ${sha.slice(0, 16)}`);
    await shot(page, '25-heatmap-signed-report');

    const pages = pdfPages(bytes, false).map((t) => t.replace(/\s+/g, ' '));
    const all = pages.join(' ');
    for (const [i, t] of pages.entries()) expect(t, `RUO statement on page ${i + 1}`).toContain(RUO_STATEMENT);
    expect(all).toContain('Evidence: slide attention');
    expect(all).not.toContain('The slide attention is not shown as evidence');
    // pdftotext drops the hyphen where a line breaks at one ("cross-attention"): compare without spaces and hyphens.
    const flat = (t: string) => t.replace(/[\s-]+/g, '');
    expect(flat(all)).toContain(flat(`Colour: ${HEATMAP_QUANTITY}.`));
    expect(flat(all)).toContain(flat(`Normalisation: ${HEATMAP_NORMALISATION}.`));
    expect(all).toMatch(/low -?\d.*high -?\d/);
    expect(all).toContain('Numbered boxes: the top patches listed below.');
    expect(all).toContain('Top patches (level-0 pixel coordinates of the top-left corner)');
    expect(all).toContain(FIXTURE_ID);
    expect(all).toContain(`Signed by ${PATHOLOGIST.displayName}`);

    const { reports } = await admin('report.list', { caseId });
    expect(reports.some((r) => r.sha256 === sha && r.signed)).toBe(true);
  } finally {
    await bridge?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  expect(problems).toEqual([]);
});
