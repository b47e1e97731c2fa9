/** Issue 14 item 6: by hand a case is only archived or reopened, each with a reason; the rest is the system's. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../helpers/temp-services.ts';
import { checkManualMove, statusBeforeArchive } from '../../../src/main/store/case-status-rules.ts';

test('the rule table: system statuses refused, archive/reopen need a reason', () => {
  assert.throws(() => checkManualMove('new', 'ready_for_review', 'new', 'looks fine'), /set by the system/);
  assert.throws(() => checkManualMove('new', 'analysing', 'new', 'x'.repeat(10)), /set by the system/);
  assert.throws(() => checkManualMove('ready_for_review', 'signed', 'new', 'done'), /signing its report/);
  assert.throws(() => checkManualMove('signed', 'ready_for_review', 'new', 'oops'), /addenda/);
  assert.throws(() => checkManualMove('new', 'archived', 'new', undefined), /Say why the case is archived/);
  assert.throws(() => checkManualMove('archived', 'new', 'signed', 'back'), /reopened to the status it had before \(signed\)/);
  assert.throws(() => checkManualMove('archived', 'signed', 'signed', ' '), /Say why the case is reopened/);
  assert.doesNotThrow(() => checkManualMove('signed', 'archived', 'new', 'retention period'));
  assert.doesNotThrow(() => checkManualMove('archived', 'ready_for_review', 'ready_for_review', 'archived by mistake'));
  assert.equal(statusBeforeArchive([{ status: 'new' }, { status: 'analysing' }, { status: 'ready_for_review' }, { status: 'archived' }]), 'ready_for_review');
  assert.equal(statusBeforeArchive([{ status: 'archived' }]), 'new');
});

test('through the channel: archive with a reason, reopen to the previous status, audited with the reason', async () => {
  const app = await startTestApp();
  const p = await app.call('patients.create', { pseudonym: 'GF-ST1', phi: {} });
  const c = await app.call('cases.create', { patientId: p.id, accession: 'S26-ST1' });
  const manual = await app.raw('cases.setStatus', { id: c.id, status: 'ready_for_review' });
  assert.equal(!manual.ok && manual.error.code, 'CONFLICT');
  const noReason = await app.raw('cases.setStatus', { id: c.id, status: 'archived' });
  assert.equal(!noReason.ok && noReason.error.code, 'BAD_INPUT');
  await app.call('cases.setStatus', { id: c.id, status: 'archived', note: 'duplicate of S26-ST0' });
  await app.call('cases.setStatus', { id: c.id, status: 'new', note: 'not a duplicate after all' });
  const got = await app.call('cases.get', { id: c.id });
  assert.deepEqual(got.history.map((h) => [h.status, h.note]), [['new', 'case opened'], ['archived', 'duplicate of S26-ST0'], ['new', 'not a duplicate after all']]);
  const ev = (await app.call('audit.list', { action: 'case.status_changed', entityId: String(c.id), limit: 5, offset: 0 })).events;
  assert.deepEqual(ev.map((e) => e.reason), ['not a duplicate after all', 'duplicate of S26-ST0']);
  await app.close();
});
