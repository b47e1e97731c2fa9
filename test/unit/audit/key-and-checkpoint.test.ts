import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KeyFileStore, keyId, resolveAuditKey, formatKeyText, type AuditKeyStore } from '../../../src/main/audit/audit-key.ts';
import { readCheckpoint, sealCheckpoint, writeCheckpointAtomic } from '../../../src/main/audit/checkpoint.ts';
import { compareCheckpoint, judgeChain, type ChainWalk } from '../../../src/main/audit/chain-rules.ts';
import { chainHash, chainMac } from '../../../src/main/audit/canonical.ts';
import { KeychainKeyStore, appKeyStores, type SafeStorageLike } from '../../../src/main/electron/audit-key-keychain.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-key-'));
const KEY = Buffer.alloc(32, 7);
const H = (c: string) => c.repeat(64);

test('keyed and unkeyed rules differ, and the keyed one depends on the key', () => {
  const row = { seq: 1, action: 'x' };
  assert.notEqual(chainMac(KEY, H('0'), row), chainHash(H('0'), row));
  assert.notEqual(chainMac(KEY, H('0'), row), chainMac(Buffer.alloc(32, 8), H('0'), row));
  // Pinned vector: HMAC-SHA-256(key = 32 x 0x07, "000…0" + '{"action":"x","seq":1}').
  assert.equal(chainMac(KEY, H('0'), row), crypto.createHmac('sha256', KEY).update(`${H('0')}{"action":"x","seq":1}`).digest('hex'));
});

test('key file: created 0600, read back; refused when others can read it; a damaged file is named', () => {
  const dir = tmp();
  const file = path.join(dir, 'g.sqlite.audit-key');
  const store = new KeyFileStore(file);
  assert.equal(store.load(), null);
  const k = resolveAuditKey([store], { create: true })!;
  assert.equal(k.length, 32);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.ok(store.load()!.equals(k));
  // A second creator gets the same key (exclusive create), never a second one.
  assert.ok(resolveAuditKey([new KeyFileStore(file)], { create: true })!.equals(k));
  fs.chmodSync(file, 0o644);
  assert.throws(() => store.load(), (e: Error & { code?: string }) => e.code === 'STORAGE' && e.message === `The audit key file ${file} can be read by other users (mode 644); make it private with "chmod 600 ${file}" and retry.`);
  fs.chmodSync(file, 0o600);
  fs.writeFileSync(file, 'not a key\n', { mode: 0o600 });
  assert.throws(() => store.load(), /is not a Gliofuse audit key \(damaged or replaced\)/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('two stores holding different keys are refused, naming both', () => {
  const mk = (key: Buffer | null, description: string): AuditKeyStore => ({ description, load: () => key, save: (k) => key ?? k });
  assert.throws(() => resolveAuditKey([mk(KEY, 'A'), mk(Buffer.alloc(32, 9), 'B')], { create: false }), /Two different audit keys: the A and the B disagree/);
  assert.ok(resolveAuditKey([mk(null, 'A'), mk(KEY, 'B')], { create: false })!.equals(KEY));
});

/** A stand-in for Electron's safeStorage: reversible, but not the identity, and refuses blobs it did not make. */
function fakeSafeStorage(available = true, backend = 'gnome_libsecret'): SafeStorageLike & { calls: number } {
  const secret = crypto.randomBytes(32);
  const f = {
    calls: 0,
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString(s: string) {
      f.calls++;
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', secret, iv);
      const body = Buffer.concat([c.update(s, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(b: Buffer) {
      const d = crypto.createDecipheriv('aes-256-gcm', secret, b.subarray(0, 12));
      d.setAuthTag(b.subarray(12, 28));
      return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
    },
  };
  return f;
}

test('Electron keychain copy: mirrors the CLI key, restores a deleted key file, refuses a replaced one', () => {
  const dir = tmp();
  const db = path.join(dir, 'g.sqlite');
  const safe = fakeSafeStorage();
  // The CLI created the key first.
  const cliKey = resolveAuditKey([new KeyFileStore(`${db}.audit-key`)], { create: true })!;
  const stores = appKeyStores(db, safe, 'linux');
  assert.equal(stores.length, 2);
  assert.ok(resolveAuditKey(stores, { create: true })!.equals(cliKey));
  const blob = fs.readFileSync(`${db}.audit-key.safe`);
  assert.ok(!blob.includes(cliKey.toString('base64')), 'the keychain copy is not the key in clear');
  // Deleted key file: restored from the keychain copy.
  fs.rmSync(`${db}.audit-key`);
  assert.ok(resolveAuditKey(stores, { create: true })!.equals(cliKey));
  assert.ok(new KeyFileStore(`${db}.audit-key`).load()!.equals(cliKey));
  // Replaced key file: refused.
  fs.writeFileSync(`${db}.audit-key`, formatKeyText(Buffer.alloc(32, 1)), { mode: 0o600 });
  assert.throws(() => resolveAuditKey(stores, { create: true }), /Two different audit keys: the key file .* and the OS-keychain copy .* disagree/);
  // Another account's keychain cannot open the blob.
  assert.throws(() => new KeychainKeyStore(`${db}.audit-key.safe`, fakeSafeStorage()).load(), /cannot be opened with this account's keychain/);
  // No keychain, or Linux's fixed-password fallback: the key file only.
  assert.equal(appKeyStores(db, fakeSafeStorage(false), 'darwin').length, 1);
  assert.equal(appKeyStores(db, fakeSafeStorage(true, 'basic_text'), 'linux').length, 1);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('checkpoint: atomic write, MAC, and distinct verdicts (other key, forged, count behind, head differs)', () => {
  const dir = tmp();
  const file = path.join(dir, 'g.sqlite.audit-checkpoint');
  assert.deepEqual(readCheckpoint(file), { state: 'missing' });
  const cp = sealCheckpoint(KEY, keyId(KEY), 10, H('a'), '2026-01-01T00:00:00.000Z');
  writeCheckpointAtomic(file, cp);
  const back = readCheckpoint(file);
  assert.equal(back.state, 'present');
  assert.deepEqual(back.state === 'present' ? back.checkpoint : null, cp);
  assert.deepEqual(fs.readdirSync(dir), ['g.sqlite.audit-checkpoint'], 'no temporary file left behind');

  assert.equal(compareCheckpoint(KEY, cp, H('a'), 10).state, 'ok');
  assert.equal(compareCheckpoint(KEY, cp, H('a'), 12).state, 'ok', 'a log ahead of its checkpoint is fine');
  assert.equal(compareCheckpoint(Buffer.alloc(32, 1), cp, H('a'), 10).state, 'other-key');
  assert.equal(compareCheckpoint(KEY, { ...cp, count: 9 }, H('a'), 10).state, 'forged');
  const behind = compareCheckpoint(KEY, cp, null, 8);
  assert.equal(behind.state, 'behind');
  assert.match(behind.message!, /^count behind: the log has 8 events but the checkpoint \(written 2026-01-01T00:00:00.000Z\) recorded 10/);
  const differs = compareCheckpoint(KEY, cp, H('b'), 10);
  assert.equal(differs.state, 'differs');
  assert.match(differs.message!, /^head differs: event 10 has hash b{16}… but the checkpoint .* recorded a{16}…/);

  fs.writeFileSync(file, '{"format":"nope"}');
  assert.deepEqual(readCheckpoint(file), { state: 'unreadable', reason: 'not a Gliofuse audit checkpoint' });
  fs.rmSync(dir, { recursive: true, force: true });
});

test('judgeChain: a missing checkpoint and a missing key are reported as such', () => {
  const walk: ChainWalk = { ok: true, count: 3, head: H('c'), firstBrokenSeq: null, reason: null, total: 3, keyedFrom: 1, markerSeq: null, hashAt: new Map(), checkpoint: { state: 'missing' } };
  const st = judgeChain(walk, { key: KEY, checkpointFile: '/x/g.sqlite.audit-checkpoint' });
  assert.equal(st.ok, false);
  assert.equal(st.checkpoint?.state, 'missing');
  assert.match(st.reason!, /^no checkpoint: \/x\/g.sqlite.audit-checkpoint is missing/);

  const present = { state: 'present' as const, checkpoint: sealCheckpoint(KEY, keyId(KEY), 3, H('c'), 't') };
  const noKey = judgeChain({ ...walk, keyedFrom: null, checkpoint: present }, { key: null, checkpointFile: '/x/cp', keyDescription: 'key file /x/k' });
  assert.equal(noKey.ok, false);
  assert.match(noKey.reason!, /^the audit key of this database is missing \(key file \/x\/k\)/);

  // A log never keyed (no key, no marker, no checkpoint) is judged under the old rule.
  const legacy = judgeChain({ ...walk, keyedFrom: null }, { key: null, checkpointFile: '/x/cp' });
  assert.deepEqual([legacy.ok, legacy.keyed], [true, false]);
});
