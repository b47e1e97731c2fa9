/**
 * Issue 12 §4, who a patient is and who may see them: pseudonyms compared case-insensitively after NFKC (also over
 * the CLI's analyze, which looks a patient up before creating one), migration 0030 on a store that already holds
 * case-variants, control / bidi characters refused in names and specimen text with one clear error, and MRN and
 * name withheld from a viewer (list, get, search).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startTestApp, tempDir } from '../../helpers/temp-services.ts';
import { Db } from '../../../src/main/store/db.ts';
import { loadMigrations, migrate } from '../../../src/main/store/migrate.ts';

test('"glio-0001" and full-width "ＧＬＩＯ-0001" after "GLIO-0001" are the same patient, not a second one', async () => {
  const app = await startTestApp();
  try {
    const first = await app.call('patients.create', { pseudonym: 'GLIO-0001', phi: {} });
    for (const variant of ['glio-0001', 'Glio-0001', 'ＧＬＩＯ-０００１', ' GLIO-0001 ']) {
      const again = await app.raw('patients.create', { pseudonym: variant, phi: {} });
      assert.equal(again.ok ? 'created' : again.error.code, 'CONFLICT', variant);
      assert.equal((await app.s.patients.byPseudonym(variant.trim())).id, first.id, `lookup of ${variant}`);
    }
    const second = await app.call('patients.create', { pseudonym: 'GLIO-0002', phi: {} });
    const rename = await app.raw('patients.update', { id: second.id, pseudonym: 'glio-0001' });
    assert.equal(rename.ok ? 'renamed' : rename.error.code, 'CONFLICT');
    const n = await app.s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM patients');
    assert.equal(n?.n, 2);
  } finally {
    await app.close();
  }
});

test('migration 0030 on a store that already holds case-variants: nothing merged, nothing lost, lookups still work', async () => {
  const dir = tempDir('gliofuse-mig30-');
  const db = await Db.open(path.join(dir, 'old.sqlite'));
  const all = loadMigrations();
  await migrate(db, all.filter((m) => m.version < 30));
  const ts = new Date().toISOString();
  await db.run("INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) VALUES ('a', 'A', 'admin', 'x', ?, ?)", [ts, ts]);
  for (const p of ['GLIO-0001', 'glio-0001', 'Glio-0001', 'GLIO-0002']) await db.run('INSERT INTO patients (pseudonym, created_by, created_at, updated_at) VALUES (?, 1, ?, ?)', [p, ts, ts]);
  const r = await migrate(db, all);
  assert.ok(r.applied.includes('0030-pseudonym-key.sql'));
  const rows = await db.all<{ id: number; pseudonym: string; pseudonym_key: string }>('SELECT id, pseudonym, pseudonym_key FROM patients ORDER BY id');
  assert.deepEqual(rows.map((x) => x.pseudonym_key), ['glio-0001', 'glio-0001#legacy-duplicate-2', 'glio-0001#legacy-duplicate-3', 'glio-0002']);
  // A new row gets its key from the trigger whatever code path inserts it; a case-variant is refused by the index.
  await db.run("INSERT INTO patients (pseudonym, created_by, created_at, updated_at) VALUES ('GLIO-0003', 1, ?, ?)", [ts, ts]);
  assert.equal((await db.get<{ k: string }>("SELECT pseudonym_key AS k FROM patients WHERE pseudonym = 'GLIO-0003'"))?.k, 'glio-0003');
  await assert.rejects(db.run("INSERT INTO patients (pseudonym, created_by, created_at, updated_at) VALUES ('glio-0003', 1, ?, ?)", [ts, ts]), /UNIQUE/);
  await db.close();
});

test('escape, bell and bidi-override characters are refused in names, pseudonyms and specimen text (one clear error)', async () => {
  const app = await startTestApp();
  try {
    const bad: [string, unknown, RegExp][] = [
      ['patients.create', { pseudonym: 'GLIO-9', phi: { fullName: 'Doe\u001b[2J' } }, /phi\.fullName: must not contain control or text-direction characters \(found U\+001B\)/],
      ['patients.create', { pseudonym: 'GLIO-9', phi: { mrn: '4471\u0007' } }, /phi\.mrn: .*U\+0007/],
      ['patients.create', { pseudonym: 'GLIO-\u202e9', phi: {} }, /pseudonym: letters, digits/],
      ['users.add', { username: 'evil', displayName: 'Dr \u202eevil', role: 'viewer', password: 'long enough password' }, /displayName: .*U\+202E/],
    ];
    for (const [ch, req, re] of bad) {
      const r = await app.raw(ch as 'patients.create', req);
      assert.equal(r.ok, false, ch);
      if (!r.ok) {
        assert.equal(r.error.code, 'BAD_INPUT');
        assert.match(r.error.message, re);
        assert.ok(!r.error.message.includes('\n'), 'one line');
      }
    }
    const p = await app.call('patients.create', { pseudonym: 'GLIO-10', phi: {} });
    const c = await app.raw('cases.create', { patientId: p.id, accession: 'S-1', specimen: 'frontal\u2066 lobe' });
    assert.equal(c.ok ? 'ok' : c.error.code, 'BAD_INPUT');
    const ok = await app.raw('cases.create', { patientId: p.id, accession: 'S-1', specimen: 'Frontallappen, Résection — links' });
    assert.equal(ok.ok, true, 'ordinary non-ASCII text is fine');
    assert.equal((await app.s.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM patients WHERE pseudonym = 'GLIO-9'"))?.n, 0);
  } finally {
    await app.close();
  }
});

test('a viewer sees neither MRNs nor names (list, get) and cannot search by them; a pathologist can', async () => {
  const app = await startTestApp();
  try {
    const p = await app.call('patients.create', { pseudonym: 'GLIO-0042', phi: { mrn: 'MRN-4471-9923', fullName: 'Jane Surname', sex: 'female', birthYear: 1970 } });
    await app.login('vera', 'viewer');
    await app.login('paula', 'pathologist');
    const vl = await app.call('patients.list', { limit: 50, offset: 0 }, 'vera');
    const vg = await app.call('patients.get', { id: p.id }, 'vera');
    for (const v of [vl.patients[0], vg]) {
      assert.equal(v?.pseudonym, 'GLIO-0042');
      assert.equal(v?.phi.mrn, null);
      assert.equal(v?.phi.fullName, null);
      assert.equal(v?.phiRedacted, true);
      assert.equal(v?.phi.birthYear, 1970);
    }
    assert.ok(!JSON.stringify(vl).includes('4471') && !JSON.stringify(vl).includes('Surname'));
    assert.equal((await app.call('patients.list', { search: '4471', limit: 50, offset: 0 }, 'vera')).total, 0, 'no MRN search for a viewer');
    assert.equal((await app.call('patients.list', { search: 'Surname', limit: 50, offset: 0 }, 'vera')).total, 0);
    assert.equal((await app.call('patients.list', { search: '0042', limit: 50, offset: 0 }, 'vera')).total, 1);
    const pl = await app.call('patients.list', { search: '4471', limit: 50, offset: 0 }, 'paula');
    assert.equal(pl.patients[0]?.phi.mrn, 'MRN-4471-9923');
    assert.equal((await app.call('patients.get', { id: p.id }, 'paula')).phi.fullName, 'Jane Surname');
  } finally {
    await app.close();
  }
});
