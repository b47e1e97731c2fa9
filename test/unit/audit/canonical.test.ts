import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, chainHash, GENESIS_HASH } from '../../../src/main/audit/canonical.ts';

test('canonical JSON sorts keys recursively and drops undefined members', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: true }, u: undefined }), '{"a":{"c":true,"d":[1,"x",null]},"b":1}');
  assert.equal(canonicalJson('é\n"'), '"é\\n\\""');
  assert.equal(canonicalJson(1.5e-7), '1.5e-7');
});

test('canonical JSON refuses values without a JSON form', () => {
  assert.throws(() => canonicalJson(Number.NaN), /non-finite/);
  assert.throws(() => canonicalJson({ f: () => 1 }), /function/);
});

test('chain hash matches a fixed vector computed by hand', () => {
  const row = { seq: 1, action: 'x', outcome: 'success' };
  // The literal pins the rule itself (sha256 of 64 zeros + '{"action":"x","outcome":"success","seq":1}'),
  // so a change to canonicalisation cannot pass silently.
  assert.equal(chainHash(GENESIS_HASH, row), '0b8b5988a6e43c25f3dbba6a71692c323a99413931ca004235906fc29c0531ba');
  assert.equal(GENESIS_HASH, '0'.repeat(64));
});
