import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/shared-data.ts';
import { productionPackages, renderSoup } from '../../../scripts/soup.mjs';

test('docs/SOUP.md is current (regenerate with `node scripts/soup.mjs`)', () => {
  const current = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'SOUP.md'), 'utf8');
  assert.equal(current, renderSoup(), 'docs/SOUP.md is stale: run `node scripts/soup.mjs` and commit the result');
});

test('every production dependency is listed with a known licence and a purpose', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const rows = productionPackages();
  for (const dep of Object.keys(pkg.dependencies)) {
    const row = rows.find((r) => r.name === dep && r.direct);
    assert.ok(row, `${dep} missing from SOUP`);
    assert.ok(!/^dependency of/.test(row.purpose), `${dep} needs its own purpose`);
  }
  assert.deepEqual(rows.filter((r) => /UNKNOWN/.test(r.licence)).map((r) => r.name), []);
  // Platforms we do not ship never appear (android, freebsd, musl, wasm builds of natives).
  assert.deepEqual(rows.filter((r) => /android|freebsd|openbsd|musl|wasm/.test(`${r.name} ${r.platform}`)).map((r) => r.name), []);
  // The shipped platforms' native variants do appear.
  for (const n of ['@img/sharp-linux-x64', '@img/sharp-win32-x64', '@img/sharp-darwin-arm64', '@koromix/koffi-linux-x64', '@koromix/koffi-win32-x64']) {
    assert.ok(rows.some((r) => r.name === n), `${n} missing`);
  }
});
