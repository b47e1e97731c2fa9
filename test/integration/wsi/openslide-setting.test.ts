/**
 * The Settings value "OpenSlide library" is what the slide workers load (Windows users point it at the OpenSlide
 * build they unpacked): a file that is not a library fails the attach naming that file; cleared, the system
 * library is used again. The environment variable still wins over the setting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createServices, type Services } from '../../../src/main/services.ts';
import { tempDir, PASSWORD } from '../../helpers/temp-services.ts';
import { sharedFile } from '../../helpers/shared-data.ts';

async function open(dir: string): Promise<{ s: Services; call: (ch: string, req: unknown) => Promise<{ ok: boolean; value?: any; error?: { code: string; message: string } }> }> {
  const s = await createServices({ dbPath: path.join(dir, 'g.sqlite'), dataDir: path.join(dir, 'data'), appVersion: '0.0.0-test' });
  const call = (ch: string, req: unknown) => s.router.call(ch, req, { transport: 'test', sessionId: 'admin', senderOk: true }) as Promise<never>;
  return { s, call };
}

test('the openslideLibraryPath setting is the library the slide workers load', async (t) => {
  const saved = process.env.GLIOFUSE_OPENSLIDE_LIB;
  delete process.env.GLIOFUSE_OPENSLIDE_LIB;
  const dir = tempDir();
  t.after(() => {
    if (saved === undefined) delete process.env.GLIOFUSE_OPENSLIDE_LIB; else process.env.GLIOFUSE_OPENSLIDE_LIB = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const fake = path.join(dir, 'not-openslide.dll');
  fs.writeFileSync(fake, 'this is not a shared library');
  const slide = sharedFile('wsi', 'CMU-1-Small-Region.svs');

  let a = await open(dir);
  await a.call('auth.setupAdmin', { username: 'admin', displayName: 'Admin Test', password: PASSWORD });
  await a.call('auth.login', { username: 'admin', password: PASSWORD });
  const missing = await a.call('settings.set', { key: 'openslideLibraryPath', value: path.join(dir, 'nowhere.dll') });
  assert.equal(missing.ok, false);
  assert.match(missing.error!.message, /existing file/);
  assert.equal((await a.call('settings.set', { key: 'openslideLibraryPath', value: fake })).ok, true);
  const patient = await a.call('patients.create', { pseudonym: 'LIB-0001' });
  const kase = await a.call('cases.create', { patientId: patient.value.id, accession: 'LIB-1' });
  await a.s.close();

  // Read at start-up: the next start's workers load the file from the setting.
  a = await open(dir);
  await a.call('auth.login', { username: 'admin', password: PASSWORD });
  const refused = await a.call('slides.attach', { caseId: kase.value.id, path: slide });
  assert.equal(refused.ok, false);
  assert.ok(refused.error!.message.includes(fake), refused.error!.message);
  assert.equal((await a.call('settings.set', { key: 'openslideLibraryPath', value: null })).ok, true);
  await a.s.close();

  a = await open(dir);
  await a.call('auth.login', { username: 'admin', password: PASSWORD });
  const attached = await a.call('slides.attach', { caseId: kase.value.id, path: slide });
  assert.equal(attached.ok, true, JSON.stringify(attached.error));
  await a.s.close();
});
