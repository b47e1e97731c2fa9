import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUNDLED_ENCODER } from '../../../scripts/soup.mjs';
import { KNOWN_ENCODERS } from '../../../src/main/analysis/encoder-store.ts';

test('the SOUP entry of the bundled tile encoder states the pins the app enforces (issue 13.1)', () => {
  const known = KNOWN_ENCODERS[BUNDLED_ENCODER.id];
  assert.ok(known, BUNDLED_ENCODER.id);
  assert.equal(BUNDLED_ENCODER.upstreamSha256, known.upstreamSha256);
  assert.ok(known.equivalentSha256.includes(BUNDLED_ENCODER.shippedSha256), 'the shipped file is the app\'s own derivation');
});
