/** The committed contract fingerprint matches the contract (else a changed contract would not be noticed by a stale page). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTRACT_FINGERPRINT } from '../../src/shared/contract/fingerprint.ts';
import { computeContractFingerprint } from '../../scripts/contract-fingerprint.ts';

test('src/shared/contract/fingerprint.ts is current (npm run contract:fingerprint regenerates it)', () => {
  assert.equal(CONTRACT_FINGERPRINT, computeContractFingerprint());
});
