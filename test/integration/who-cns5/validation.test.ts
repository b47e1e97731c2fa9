import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { docSection, renderMarkdown, validateOnTcga } from '../../../src/main/who-cns5/tcga-validation.ts';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';

const report = validateOnTcga(fs.readFileSync(sharedFile('tcga', 'all_dataset.csv'), 'utf8'), fs.readFileSync(sharedFile('tcga', 'grade_data.csv'), 'utf8'));
const inRange = (v: number | null, lo: number, hi: number, what: string) => assert.ok(v !== null && v >= lo && v <= hi, `${what}: ${v} not in [${lo}, ${hi}]`);

test('rule types agree with the dataset molecular subtype wherever both decide; no IDH → NOS', () => {
  assert.equal(report.patients, 769);
  assert.ok(report.typeAgreement.decided >= 600);
  assert.equal(report.typeAgreement.agree, report.typeAgreement.decided);
  const t = report.confusionSubtype;
  const row = (label: string) => t.counts[t.rows.indexOf(label)] ?? [];
  assert.deepEqual(row('Diffuse glioma, NOS'), [0, 0, 0, 72]);
  assert.equal(row('Astrocytoma, IDH-mutant, CNS WHO grade 4')[1], 24);
  // Every patient is in exactly one cell of each table.
  for (const tb of [report.confusionSubtype, report.confusionGrade, report.confusionHistology]) {
    assert.equal(tb.counts.flat().reduce((a, b) => a + b, 0), 769);
  }
  // Histological oligoastrocytomas (a type WHO CNS5 no longer has) are split by the rules into the two IDH-mutant types.
  const h = report.confusionHistology;
  const oa = h.cols.indexOf('oligoastrocytoma');
  const oligoRow = h.rows.findIndex((r) => r.startsWith('Oligodendroglioma'));
  const astroRows = h.rows.map((r, i) => (r.startsWith('Astrocytoma') ? i : -1)).filter((i) => i >= 0);
  assert.ok((h.counts[oligoRow]?.[oa] ?? 0) > 10 && astroRows.reduce((n, i) => n + (h.counts[i]?.[oa] ?? 0), 0) > 10);
});

test('molecular glioblastoma (IDH-wt grade 2/3 with EGFR amp or +7/−10) survives like histological glioblastoma (issue 10 figures)', () => {
  const [gbm] = report.comparisons;
  assert.ok(gbm);
  inRange(gbm.a.km.n, 42, 50, 'molecular GBM n');
  inRange(gbm.a.km.median, 1.4, 2.0, 'molecular GBM median (y)');
  inRange(gbm.b.km.n, 21, 29, 'other IDH-wt 2/3 n');
  inRange(gbm.b.km.median, 8, 14, 'other IDH-wt 2/3 median (y)');
  inRange(report.reference.km.n, 255, 270, 'histological GBM n');
  inRange(report.reference.km.median, 1.0, 1.4, 'histological GBM median (y)');
  assert.ok(gbm.logRankP < 0.05, `log-rank p ${gbm.logRankP}`);
  const lo = gbm.a.km.medianLower ?? -Infinity;
  const hi = gbm.a.km.medianUpper ?? Infinity;
  assert.ok(lo <= gbm.a.km.median! && gbm.a.km.median! <= hi);
});

test('IDH-mutant astrocytoma with CDKN2A/B homozygous deletion does worse than without (issue 10 figures)', () => {
  const c = report.comparisons[1]!;
  inRange(c.a.km.n, 22, 26, 'with homdel n');
  inRange(c.a.km.median, 2.6, 3.8, 'with homdel median (y)');
  inRange(c.b.km.n, 185, 200, 'without homdel n');
  inRange(c.b.km.median, 6.0, 8.5, 'without homdel median (y)');
  assert.ok(c.logRankP < 0.01, `log-rank p ${c.logRankP}`);
});

test('arm cut-off sensitivity moves the molecular-glioblastoma count only a little', () => {
  const n = report.sensitivity.map((s) => s.molecularGbm);
  assert.deepEqual(report.sensitivity.map((s) => s.armCut), [0.1, 0.2, 0.3]);
  assert.ok(n[0]! >= n[1]! && n[1]! >= n[2]!);
  assert.ok(n[0]! - n[2]! <= 8);
});

test('docs/who-cns5.md carries exactly the generated table (run npm run validate:who-cns5 -- --write when this fails)', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'who-cns5.md'), 'utf8');
  assert.equal(docSection(doc), renderMarkdown(report).trim());
});
