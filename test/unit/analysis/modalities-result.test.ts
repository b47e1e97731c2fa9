import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planModalities } from '../../../src/main/analysis/modalities.ts';
import { gradeDisplay, riskGroupOf } from '../../../src/main/analysis/result.ts';
import { ProgressTracker } from '../../../src/main/analysis/progress.ts';

const both = { hasSlide: true, hasGenomics: true, clinicalObserved: true, schemaHasClinical: true };

test('all modalities validated and present: all used, pathology is evidence, no warnings', () => {
  const p = planModalities(['pathology', 'genomics', 'clinical'], both);
  assert.deepEqual(p.usedModalities, ['pathology', 'genomics', 'clinical']);
  assert.equal(p.pathologyIsEvidence, true);
  assert.equal(p.encodeSlide, true);
  assert.deepEqual(p.warnings, []);
});

test('reference package (genomics + clinical) with a slide: no slide work, not used, not evidence, warned', () => {
  const p = planModalities(['genomics', 'clinical'], both, 'REF 1.0.0');
  assert.equal(p.usePathology, false);
  assert.equal(p.encodeSlide, false, 'issue 13: no needless slide work');
  assert.equal(p.slideWork, 'none');
  assert.equal(p.pathologyIsEvidence, false);
  assert.deepEqual(p.usedModalities, ['genomics', 'clinical']);
  assert.deepEqual(p.warnings.map((w) => [w.code, w.severity]), [['unvalidated_modality', 'warning']]);
  assert.match(p.warnings[0]?.message ?? '', /REF 1\.0\.0 is not validated for pathology/);
  assert.match(p.warnings[0]?.message ?? '', /not analysed.*only when asked for/);
});

test('slide QC on request with a package not validated for pathology: QC only, still not used', () => {
  const p = planModalities(['genomics', 'clinical'], { ...both, slideQc: true }, 'REF 1.0.0');
  assert.deepEqual([p.slideWork, p.encodeSlide, p.usePathology], ['qc', false, false]);
  assert.match(p.warnings[0]?.message ?? '', /Slide QC .* was run on request; no tiles were encoded/);
  const validated = planModalities(['pathology', 'genomics'], { ...both, slideQc: true });
  assert.equal(validated.slideWork, 'features', 'a validated pathway encodes anyway');
  assert.equal(planModalities(['genomics'], { ...both, hasSlide: false, slideQc: true }).slideWork, 'none');
});

test('clinical present but not validated: masked, warned; genomics still used', () => {
  const p = planModalities(['pathology', 'genomics'], both);
  assert.equal(p.maskClinical, true);
  assert.deepEqual(p.usedModalities, ['pathology', 'genomics']);
  assert.ok(p.warnings.some((w) => w.code === 'unvalidated_modality' && /Clinical/.test(w.message)));
});

test('missing modalities are noted (info); nothing usable is bad input', () => {
  const g = planModalities(['pathology', 'genomics', 'clinical'], { ...both, hasSlide: false, clinicalObserved: false });
  assert.deepEqual(g.warnings.map((w) => [w.code, w.severity]), [['modality_missing', 'info'], ['modality_missing', 'info']]);
  const s = planModalities(['pathology', 'genomics'], { ...both, hasGenomics: false, clinicalObserved: false });
  assert.deepEqual(s.usedModalities, ['pathology']);
  assert.throws(() => planModalities(['genomics', 'clinical'], { ...both, hasGenomics: false, clinicalObserved: false }), (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && /Nothing to analyse: the case has a slide/.test(e.message));
  assert.throws(() => planModalities(['pathology'], { ...both, hasSlide: false }), /Nothing to analyse/);
});

test('risk groups follow the documented cut-off rule; grades read as WHO CNS5 numerals', () => {
  const names = ['low', 'intermediate', 'high'];
  assert.equal(riskGroupOf(-3.3, [-3.2, -2.6], names), 'low');
  assert.equal(riskGroupOf(-3.2, [-3.2, -2.6], names), 'intermediate');
  assert.equal(riskGroupOf(-2.61, [-3.2, -2.6], names), 'intermediate');
  assert.equal(riskGroupOf(-2.6, [-3.2, -2.6], names), 'high');
  assert.equal(gradeDisplay('II'), 'Histological grade 2 (TCGA, pre-2021)');
  assert.equal(gradeDisplay('IV'), 'Histological grade 4 (TCGA, pre-2021)');
  assert.equal(gradeDisplay('3'), 'Histological grade 3 (TCGA, pre-2021)');
  assert.equal(gradeDisplay('low-grade'), 'low-grade');
});

test('progress: counted, ETA from the measured rate, cached flag kept', () => {
  let t = 0;
  const p = new ProgressTracker(() => t);
  p.begin('encoding', 100);
  assert.deepEqual(p.snapshot(), { stage: 'encoding', done: 0, total: 100, etaSeconds: null });
  t = 1000;
  p.set(20);
  assert.equal(p.snapshot().etaSeconds, 4, '80 left at 20/s');
  p.set(500);
  assert.equal(p.snapshot().done, 100, 'clamped to total');
  assert.equal(p.snapshot().etaSeconds, 0);
  p.markCached();
  p.begin('inference', 1);
  assert.equal(p.snapshot().cached, true);
});
