/**
 * The "executionProvider" setting: validated, audited like every setting, and used by the next analysis (the
 * provider is tried first, then the CPU; an explicit --ep / executionProvider on the request wins).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../../helpers/temp-services.ts';
import { buildAnalysisPackage, writeTcgaRow } from './fixtures/analysis-package.ts';

const MODEL = 'umeml-test-provider-setting';
let app: TestApp;

before(async () => {
  app = await startTestApp();
  buildAnalysisPackage(path.join(app.dir, 'data', 'models'), { id: MODEL, validatedModalities: ['genomics', 'clinical'] });
});
after(async () => { await app?.close(); });

test('executionProvider setting: bad values refused, a named provider is tried first, the request wins', async () => {
  await assert.rejects(app.call('settings.set', { key: 'executionProvider', value: 'tpu' }), /executionProvider must be "auto" or one of cuda, dml, coreml, webgpu, cpu/);
  await app.call('settings.set', { key: 'executionProvider', value: 'cuda' });
  const p = await app.call('patients.create', { pseudonym: 'EP-SET-1' });
  const caseId = (await app.call('cases.create', { patientId: p.id, accession: 'EP1' })).id;
  const csv = writeTcgaRow(path.join(app.dir, 'row.csv'), 'TCGA-06-0174');
  await app.call('genomics.import', { caseId, fileName: 'row.csv', content: fs.readFileSync(csv, 'utf8'), modelId: MODEL });
  const attempts = async (req: Record<string, unknown>) => {
    const job = await app.s.analysis.waitFor((await app.call('analysis.start', { caseId, modelId: MODEL, ...req })).id);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const eps = job.result?.provenance.preprocessing.executionProviders as { model: { attempts: { provider: string; ok: boolean }[] } };
    return { attempts: eps.model.attempts.map((a) => a.provider), warnings: job.result?.warnings.map((w) => w.code) ?? [] };
  };
  const bySetting = await attempts({});
  assert.deepEqual(bySetting.attempts, ['cuda', 'cpu']);
  assert.ok(bySetting.warnings.includes('cpu_fallback'), 'CUDA cannot start here: the result says the CPU ran instead');
  assert.deepEqual((await attempts({ executionProvider: 'cpu' })).attempts, ['cpu']);
  const audit = await app.s.db.all<{ action: string; after_json: string }>("SELECT action, after_json FROM audit_events WHERE action = 'settings.changed'");
  assert.ok(audit.some((a) => a.after_json.includes('"executionProvider":"cuda"')));
});
