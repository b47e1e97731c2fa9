/** Issue 14 item 3: the interpretation column's words, by the WHO CNS5 engine's thresholds; issue 14 item 4: the age plan. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpret } from '../../../src/main/genomics/interpretation.ts';
import { agePlan } from '../../../src/main/genomics/interpretation-handlers.ts';

test('values in words: EGFR 2 amplified, CDKN2A −2 homozygous deletion, IDH 0 wild-type, +7/−10', () => {
  const r = interpret({ cnv_egfr: 2, cnv_cdkn2a: -2, cnv_cdkn2b: -1, idh_mutation: 0, codeletion_1p19q: 0, arm_7p: 0.45, arm_7q: 0.5, arm_10p: -0.6, arm_10q: -0.4, cnv_myc: 1, age_at_diagnosis: 49.29367469879518 });
  assert.equal(r.fields.cnv_egfr, 'amplified');
  assert.equal(r.fields.cnv_cdkn2a, 'homozygous deletion');
  assert.equal(r.fields.cnv_cdkn2b, 'shallow loss (not homozygous)');
  assert.equal(r.fields.idh_mutation, 'wild-type');
  assert.equal(r.fields.codeletion_1p19q, 'not codeleted');
  assert.equal(r.fields.arm_7p, 'gain');
  assert.equal(r.fields.arm_10q, 'loss');
  assert.equal(r.fields.cnv_myc, 'low-level gain (not amplified)');
  assert.equal(r.fields.age_at_diagnosis, '49 years');
  assert.match(r.combined[0]!, /^\+7\/−10 .*: yes$/);
  assert.match(r.combined[1]!, /CDKN2A\/B homozygous deletion: yes/);
  const partial = interpret({ arm_7p: 0.5, idh_mutation: 1 });
  assert.equal(partial.fields.idh_mutation, 'mutant');
  assert.match(partial.combined[0]!, /not decidable/);
});

test('age: from the profile, derived from birth year and collection date, or imputed — said before the analysis', () => {
  assert.equal(agePlan(true, 61, 1950, '2020-01-01').plan, 'profile');
  const d = agePlan(false, null, 1952, '2020-06-30');
  assert.deepEqual([d.plan, d.years], ['derived', 68]);
  assert.match(d.text, /derive age at diagnosis: 68 years/);
  assert.equal(agePlan(false, null, null, '2020-06-30').plan, 'imputed');
  assert.equal(agePlan(false, null, 1952, null).plan, 'imputed');
});
