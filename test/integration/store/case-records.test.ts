/** Issue 14 item 7: an audited "Detach slide" with a reason (file untouched), and the case history across its records. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startTestApp } from '../../helpers/temp-services.ts';
import { sharedFile } from '../../helpers/shared-data.ts';

test('detaching a slide: reason required, audited, the file stays, no longer listed/counted/picked; the case history shows it', async () => {
  const app = await startTestApp();
  try {
    await app.login('vic', 'viewer');
    const p = await app.call('patients.create', { pseudonym: 'GF-DT1', phi: {} });
    const c = await app.call('cases.create', { patientId: p.id, accession: 'S26-DT1' });
    const file = sharedFile('wsi', 'CMU-1-Small-Region.svs');
    const before = fs.statSync(file).mtimeMs;
    const a = await app.call('slides.attach', { caseId: c.id, path: file });
    const b = await app.call('slides.attach', { caseId: c.id, path: sharedFile('wsi', 'openslide-python-small.svs') });
    assert.equal((await app.call('cases.get', { id: c.id })).slideCount, 2);

    const noReason = await app.raw('slides.detach', { id: a.id, reason: '' });
    assert.equal(!noReason.ok && noReason.error.code, 'BAD_INPUT');
    const byViewer = await app.raw('slides.detach', { id: a.id, reason: 'wrong patient' }, 'vic');
    assert.equal(!byViewer.ok && byViewer.error.code, 'FORBIDDEN');
    assert.deepEqual(await app.call('slides.detach', { id: a.id, reason: 'belongs to S26-DT0 (wrong case)' }), { ok: true, caseId: c.id });
    const again = await app.raw('slides.detach', { id: a.id, reason: 'again' });
    assert.equal(!again.ok && again.error.code, 'CONFLICT');

    assert.deepEqual((await app.call('slides.list', { caseId: c.id })).slides.map((s) => s.id), [b.id]);
    assert.equal((await app.call('cases.get', { id: c.id })).slideCount, 1);
    assert.ok(fs.existsSync(file) && fs.statSync(file).mtimeMs === before, 'the file is never touched');
    const row = await app.s.db.get<{ detach_reason: string }>('SELECT detach_reason FROM slides WHERE id = ?', [a.id]);
    assert.equal(row?.detach_reason, 'belongs to S26-DT0 (wrong case)');

    const h = await app.call('cases.history', { caseId: c.id, limit: 50, offset: 0 });
    const actions = h.events.map((e) => `${e.action} ${e.entityType}:${e.entityId}`);
    assert.deepEqual(actions.slice(0, 3), [`slide.detached slide:${a.id}`, `slide.attached slide:${b.id}`, `slide.attached slide:${a.id}`]);
    assert.ok(actions.includes(`case.created case:${c.id}`) || actions.some((x) => x.startsWith('case.')), actions.join('; '));
    assert.equal(h.events[0]!.reason, 'belongs to S26-DT0 (wrong case)');
    // Another case's slide events are not in this case's history.
    const c2 = await app.call('cases.create', { patientId: p.id, accession: 'S26-DT2' });
    await app.call('slides.attach', { caseId: c2.id, path: file });
    assert.equal((await app.call('cases.history', { caseId: c.id, limit: 50, offset: 0 })).total, h.total);
  } finally {
    await app.close();
  }
});
