/**
 * Job lifecycle on a real multi-hundred-tile slide: cancel mid-encoding, kill -9 of the analysis worker, kill -9
 * of the process that owns the job (the next start-up fails it cleanly), and the execution-provider fallback.
 * Asserted through the store (states, errors, case status, audit), never through timing.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestApp, type TestApp } from '../../helpers/temp-services.ts';
import { sharedFile } from '../../helpers/shared-data.ts';
import { buildAnalysisPackage, ENCODER_FILE, largeSlide, writeTcgaRow } from './fixtures/analysis-package.ts';
import { createServices } from '../../../src/main/services.ts';
import type { AnalysisProgressEvent } from '../../../src/shared/contract/analysis.ts';
import { featureCacheRoot } from '../../../src/main/analysis/feature-cache.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MODEL = 'umeml-test-jobs';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, fn: () => boolean | Promise<boolean>, ms = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!(await fn())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves with the first event of job `id` that is mid-encoding (at least one tile done, not all). */
function midEncoding(app: TestApp, id: () => number | null): Promise<AnalysisProgressEvent> {
  return new Promise((resolve) => {
    const on = (e: AnalysisProgressEvent) => {
      if (e.id === id() && e.state === 'running' && e.stage === 'encoding' && e.progress && e.progress.done >= 1 && e.progress.done < e.progress.total) {
        app.s.analysis.events.off('progress', on);
        resolve(e);
      }
    };
    app.s.analysis.events.on('progress', on);
  });
}

function cacheFiles(dataDir: string): string[] {
  const root = featureCacheRoot(dataDir);
  const out: string[] = [];
  const walk = (d: string) => { for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else out.push(p); } };
  walk(root);
  return out;
}

describe('analysis jobs: cancel, crashes, recovery, EP fallback', () => {
  let app: TestApp;
  let bigCase: number;
  let smallCase: number;
  let slide: string;

  before(async () => {
    process.env.GLIOFUSE_ENCODER_PATH = ENCODER_FILE;
    // Progress every 100 ms, so even a fast machine is seen mid-encoding (the child owner inherits it).
    process.env.GLIOFUSE_ANALYSIS_POLL_MS = '100';
    slide = largeSlide(6);
    app = await startTestApp();
    buildAnalysisPackage(path.join(app.dir, 'data', 'models'), { id: MODEL, validatedModalities: ['pathology', 'genomics', 'clinical'] });
    const p = await app.call('patients.create', { pseudonym: 'JOBS-1' });
    bigCase = (await app.call('cases.create', { patientId: p.id, accession: 'BIG' })).id;
    await app.call('slides.attach', { caseId: bigCase, path: slide });
    smallCase = (await app.call('cases.create', { patientId: p.id, accession: 'SMALL' })).id;
    await app.call('slides.attach', { caseId: smallCase, path: sharedFile('wsi', 'tcga-glioma-roi', 'TCGA-26-1442_roi_pyramid.tif') });
    const csv = writeTcgaRow(path.join(app.dir, 'row.csv'), 'TCGA-26-1442');
    await app.call('genomics.import', { caseId: smallCase, fileName: 'row.csv', content: fs.readFileSync(csv, 'utf8'), modelId: MODEL });
  });
  after(async () => {
    await app?.close();
  });

  test('cancel during encoding: state cancelled, no cache entry, case status restored, audited', async () => {
    let id: number | null = null;
    const mid = midEncoding(app, () => id);
    id = (await app.call('analysis.start', { caseId: bigCase, modelId: MODEL })).id;
    await mid;
    const c = await app.call('analysis.cancel', { id });
    assert.ok(c.state === 'running' || c.state === 'cancelled');
    const job = await app.s.analysis.waitFor(id);
    assert.equal(job.state, 'cancelled');
    assert.equal(job.result, null);
    assert.ok(job.progress && job.progress.done < job.progress.total, 'stopped before the last tile');
    assert.deepEqual(cacheFiles(path.join(app.dir, 'data')), [], 'a cancelled extraction leaves no bag or partial file');
    assert.equal((await app.call('cases.get', { id: bigCase })).status, 'new');
    const actions = (await app.s.db.all<{ action: string }>("SELECT action FROM audit_events WHERE entity_type = 'analysis' AND entity_id = ? ORDER BY seq", [String(id)])).map((r) => r.action);
    assert.deepEqual(actions, ['analysis.requested', 'analysis.cancel_requested', 'analysis.cancelled']);
  });

  test('kill -9 of the analysis worker fails the job (WORKER_CRASHED); the next job gets a fresh worker', async () => {
    let id: number | null = null;
    const mid = midEncoding(app, () => id);
    id = (await app.call('analysis.start', { caseId: bigCase, modelId: MODEL })).id;
    await mid;
    const row = await app.s.db.get<{ worker_pid: number | null; state: string }>('SELECT worker_pid, state FROM analyses WHERE id = ?', [id]);
    assert.ok(row?.worker_pid, 'the worker pid is recorded while running');
    const pid = row.worker_pid;
    process.kill(pid, 'SIGKILL');
    const job = await app.s.analysis.waitFor(id);
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.code, 'WORKER_CRASHED');
    assert.equal((await app.call('cases.get', { id: bigCase })).status, 'new');
    await until('the killed worker to be gone', () => !pidAlive(pid));
    const next = await app.s.analysis.waitFor((await app.call('analysis.start', { caseId: smallCase, modelId: MODEL })).id);
    assert.equal(next.state, 'succeeded', JSON.stringify(next.error));
    assert.notEqual(app.s.analysis.worker.pid, pid);
  });

  test('kill -9 of the owning process: the worker exits and the next start-up fails the job with a reason', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'fixtures', 'job-owner.ts'), app.dbPath, path.join(app.dir, 'data'), String(bigCase), MODEL], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => { buf += d.toString(); const i = buf.indexOf('\n'); if (i >= 0) resolve(buf.slice(0, i)); });
      child.on('exit', (code) => reject(new Error(`job owner exited early (${code})`)));
    });
    const { id, workerPid } = JSON.parse(line) as { id: number; workerPid: number };
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.equal((await app.s.db.get<{ state: string }>('SELECT state FROM analyses WHERE id = ?', [id]))?.state, 'running', 'left running by the dead owner');
    await until('the orphaned worker to exit', () => !pidAlive(workerPid), 30_000);

    // "Next start-up": a fresh set of services on the same database and data folder.
    const s2 = await createServices({ dbPath: app.dbPath, dataDir: path.join(app.dir, 'data'), appVersion: '0.0.0-test' });
    try {
      const job = await s2.analysis.get(id);
      assert.equal(job.state, 'failed');
      assert.equal(job.error?.code, 'INTERRUPTED');
      assert.match(job.error?.message ?? '', /interrupted while encoding/);
      assert.equal((await s2.patients.getCase(bigCase)).status, 'new');
      const ev = await s2.db.get<{ user_id: number | null; outcome: string }>("SELECT user_id, outcome FROM audit_events WHERE action = 'analysis.failed' AND entity_id = ?", [String(id)]);
      assert.deepEqual(ev, { user_id: null, outcome: 'failure' });
      assert.equal((await s2.db.all("SELECT id FROM analyses WHERE state IN ('queued', 'running')")).length, 0, 'never left running');
      assert.equal((await s2.audit.verify()).ok, true);
    } finally {
      await s2.close();
    }
  });

  test('a GPU execution provider requested on this CPU-only machine falls back to CPU with a cpu_fallback warning', async () => {
    const job = await app.s.analysis.waitFor((await app.call('analysis.start', { caseId: smallCase, modelId: MODEL, executionProvider: 'cuda' })).id);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const r = job.result;
    assert.ok(r);
    assert.equal(r.provenance.executionProvider, 'cpu');
    const fb = r.warnings.filter((w) => w.code === 'cpu_fallback');
    assert.ok(fb.length >= 1, JSON.stringify(r.warnings));
    assert.ok(fb.every((w) => w.severity === 'warning'));
    const eps = r.provenance.preprocessing.executionProviders as { model: { attempts: { provider: string; ok: boolean }[] }; tileEncoder: { attempts: { provider: string; ok: boolean }[] } | null };
    assert.deepEqual(eps.model.attempts.map((a) => [a.provider, a.ok]), [['cuda', false], ['cpu', true]]);
    // The small slide's features were cached by the earlier job: the encoder did not need to run here.
    const plain = await app.s.analysis.waitFor((await app.call('analysis.start', { caseId: smallCase, modelId: MODEL })).id);
    assert.equal(plain.result?.warnings.some((w) => w.code === 'cpu_fallback'), false, 'no GPU expected on this machine: no warning');
  });
});
