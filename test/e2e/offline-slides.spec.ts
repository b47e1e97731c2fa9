/**
 * Issue 13 as a new user in an offline clinic meets it: an EMPTY data folder (no tile encoder anywhere — this spec
 * has its own bridge with GLIOFUSE_ENCODER_PATH cleared), a case with a real slide attached (TCGA-26-1442 ROI,
 * read in place from ../shared/data) and the patient's genomic row. The genomics analysis goes ahead and says the
 * slide was not analysed; then an administrator installs the encoder from a file on the Models page (a wrong file
 * is refused first, with one message) and the case is analysed again with slide QC.
 *
 * The model is a TEST FIXTURE package validated for genomics + clinical only, like the reference package (the
 * tiny random-weight model of the analysis integration tests, installed with `gliofuse models import` into this
 * spec's data folder): the spec checks the app's behaviour, not the model's outputs.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { REPO_ROOT, apiAs, apiSession, rail, registerPatientAndCase, shot, signIn, watchConsole } from './helpers.ts';
import { startBridgeProcess, type BridgeProcess } from './bridge-process.ts';
import { sharedFile } from '../helpers/shared-data.ts';
import { buildAnalysisPackage } from '../integration/analysis/fixtures/analysis-package.ts';

const FIXTURE_ID = 'test-fixture-umeml-genomic';
const SLIDE = sharedFile('wsi', 'tcga-glioma-roi', 'TCGA-26-1442_roi_pyramid.tif');
const UPSTREAM_ENCODER = sharedFile('models', 'mobilenetv2-12-int8.onnx');
const ADMIN = { username: 'offline.admin', displayName: 'Offline Admin', password: 'offline-admin-pass-1' };

test('offline clinic: genomics analysis without an encoder, encoder installed from a file on the Models page, then slide QC', async ({ page }) => {
  test.setTimeout(300_000);
  const problems = watchConsole(page);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-offline-'));
  const db = path.join(dir, 'offline.sqlite');
  const dataDir = path.join(dir, 'data');
  let bridge: BridgeProcess | null = null;
  try {
    const staged = buildAnalysisPackage(path.join(dir, 'staging'), { id: FIXTURE_ID, validatedModalities: ['genomics', 'clinical'], seed: 13 });
    bridge = await startBridgeProcess(db, dataDir, { env: { GLIOFUSE_ENCODER_PATH: '' } });
    expect((await (await apiSession(bridge.info))('auth.setupAdmin', ADMIN)).ok).toBe(true);
    const admin = await apiAs(ADMIN, bridge.info);
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'gliofuse.js'), '--db', db, '--as', ADMIN.username, '--json', 'models', 'import', staged.dir], {
      cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_DATA_DIR: dataDir, GLIOFUSE_USER: '', GLIOFUSE_ENCODER_PATH: '' },
    });
    expect(fs.existsSync(path.join(dataDir, 'encoders')), 'the data folder starts without an encoder').toBe(false);

    await signIn(page, ADMIN, bridge.info);
    await registerPatientAndCase(page, 'OFF');
    const caseId = Number(new URL(page.url()).hash.match(/cases\/(\d+)/)?.[1]);
    const tabs = page.getByRole('navigation', { name: 'Case sections' });

    await tabs.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByLabel('Attach a slide by path').fill(SLIDE);
    await page.getByRole('button', { name: 'Attach slide' }).click();
    // Slides are listed under a pseudonymised label (issue 12), not the file name.
    await expect(page.getByRole('table', { name: 'Slides of this case' }).getByRole('link', { name: /-S1-[0-9a-f]{6}$/ })).toBeVisible({ timeout: 60_000 });

    await tabs.getByRole('link', { name: 'Genomics', exact: true }).click();
    await page.getByLabel('Check against model package').selectOption(FIXTURE_ID);
    await page.getByLabel('Profile file (CSV or JSON)').setInputFiles(sharedFile('tcga', 'all_dataset.csv'));
    await page.getByLabel(/Row \/ patient ID/).fill('TCGA-26-1442');
    await page.getByRole('button', { name: 'Check file' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Valid for ${FIXTURE_ID}` })).toBeVisible({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Import profile' }).click();
    await expect(page.getByText(/Imported \S+:/)).toBeVisible();

    // 1. Genomics analysis on a fresh install: no encoder needed, the slide is left alone and the result says so.
    await tabs.getByRole('link', { name: 'Analysis', exact: true }).click();
    const model = page.getByRole('combobox', { name: /^Model\b/ });
    if (await model.count()) await model.selectOption(FIXTURE_ID);
    await expect(page.getByLabel('Also run slide QC (tissue, tiles, quality flags)')).not.toBeChecked();
    await page.getByRole('button', { name: 'Analyse', exact: true }).click();
    await expect(page.locator('section.an-ai-frame')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByText(/The slide was not analysed: .* is not validated for pathology/).first()).toBeVisible();
    let { analyses } = await admin('analysis.list', { caseId });
    const first = await admin('analysis.get', { id: analyses[0]!.id });
    expect(first.state).toBe('succeeded');
    expect(first.result?.provenance.preprocessing.featureCache).toBeNull();
    expect(first.result?.provenance.preprocessing.slideQc).toBeNull();
    await shot(page, '13-genomics-without-encoder');

    // 2. The Models page: not installed; a wrong file is refused; the ONNX Model Zoo file installs.
    await rail(page, 'Models').click();
    const status = page.getByTestId('encoder-status');
    await expect(status).toContainText('Not installed');
    await expect(status).toContainText('Apache-2.0');
    await page.getByRole('button', { name: 'Install encoder from file…' }).click();
    const form = page.getByRole('form', { name: 'Install the tile encoder from a file' });
    await form.getByLabel('Encoder file (full path)').fill(SLIDE);
    await form.getByRole('button', { name: 'Install', exact: true }).click();
    await expect(form.getByRole('alert')).toContainText(/is not the mobilenetv2-12-int8-features tile encoder: its sha256 is [0-9a-f]{16}…, expected the ONNX Model Zoo mobilenetv2-12-int8\.onnx/);
    await expect(status).toContainText('Not installed');
    await form.getByLabel('Encoder file (full path)').fill(UPSTREAM_ENCODER);
    await form.getByRole('button', { name: 'Install', exact: true }).click();
    await expect(status).toContainText('Installed — installed from a file on this workstation', { timeout: 30_000 });
    await expect(page.getByRole('status').filter({ hasText: /Installed MobileNetV2/ })).toBeVisible();
    await shot(page, '13-encoder-installed');
    const st = (await admin('encoder.status', {})).encoders[0];
    expect(st).toMatchObject({ installed: true, source: 'data-folder' });
    expect(fs.readdirSync(path.join(dataDir, 'encoders'))).toEqual(['mobilenetv2-12-int8-features.onnx']);
    const { events } = await admin('audit.list', { limit: 50 });
    expect(events.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['encoder.install_refused', 'encoder.installed']));

    // 3. Slide QC on request: tissue, tile grid and quality flags of the all-tissue region, nothing encoded.
    await page.goBack();
    await expect(page.getByRole('button', { name: 'Analyse', exact: true })).toBeVisible({ timeout: 30_000 });
    if (await model.count()) await model.selectOption(FIXTURE_ID);
    await page.getByLabel('Also run slide QC (tissue, tiles, quality flags)').check();
    await page.getByRole('button', { name: 'Analyse', exact: true }).click();
    await expect.poll(async () => (await admin('analysis.list', { caseId })).analyses.filter((a) => a.state === 'succeeded').length, { timeout: 120_000 }).toBe(2);
    ({ analyses } = await admin('analysis.list', { caseId }));
    const second = await admin('analysis.get', { id: analyses[0]!.id });
    const qc = second.result?.provenance.preprocessing.slideQc as { tissueFraction: number; tiles: number; thresholdRule: string } | null;
    expect(qc?.tiles).toBeGreaterThan(0);
    expect(qc?.tissueFraction).toBeGreaterThanOrEqual(0.85);
    expect(qc?.thresholdRule).toBe('not-bimodal');
    expect(second.result?.provenance.preprocessing.featureCache).toBeNull();
    await expect(page.getByText(/Slide QC \(tissue, tile grid, quality flags\) was run on request/).first()).toBeVisible({ timeout: 30_000 });
    await shot(page, '13-slide-qc');
    expect(problems).toEqual([]);
  } finally {
    await bridge?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
