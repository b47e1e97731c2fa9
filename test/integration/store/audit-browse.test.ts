/** Issue 14 item 9: the audit log browsed by user name, with routine reads hidden unless asked for. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../helpers/temp-services.ts';

test('audit.browse: reads hidden by default and counted; a user by sign-in or display name; includeReads shows them', async () => {
  const app = await startTestApp();
  try {
    await app.login('petra', 'pathologist');
    const p = await app.call('patients.create', { pseudonym: 'GF-AB1', phi: {} }, 'petra');
    await app.call('patients.get', { id: p.id }, 'petra');
    await app.call('patients.get', { id: p.id });
    const all = await app.call('audit.browse', { limit: 500, offset: 0 });
    assert.ok(all.events.every((e) => !e.action.startsWith('read.')));
    assert.ok(all.readsHidden >= 2);
    const withReads = await app.call('audit.browse', { includeReads: true, limit: 500, offset: 0 });
    assert.equal(withReads.total, all.total + all.readsHidden);
    for (const name of ['petra', 'PETRA', 'petra (test)']) {
      const byName = await app.call('audit.browse', { userName: name, limit: 50, offset: 0 });
      assert.ok(byName.events.length > 0 && byName.events.every((e) => e.userName === 'petra (test)'), name);
      assert.ok(byName.events.some((e) => e.action === 'patient.created'));
    }
    assert.equal((await app.call('audit.browse', { userName: 'nobody', limit: 5, offset: 0 })).total, 0);
    // A LIKE wildcard in the action prefix is literal.
    assert.equal((await app.call('audit.browse', { action: '%', limit: 5, offset: 0 })).total, 0);
  } finally {
    await app.close();
  }
});
