/**
 * WHO CNS5 rules on TCGA-GBMLGG: prints the validation tables, or with --write regenerates the section of
 * docs/who-cns5.md between its markers, or with --check exits 1 when the doc differs from the data (CI runs the
 * same comparison in test/integration/who-cns5/validation.test.ts).
 *   npm run validate:who-cns5 [-- --write | --check | --json]
 * Data: ../shared/data/tcga (or GLIOFUSE_SHARED_DATA); the files are read, never copied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { docSection, renderMarkdown, replaceDocSection, validateOnTcga } from '../src/main/who-cns5/tcga-validation.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = process.env.GLIOFUSE_SHARED_DATA ?? path.resolve(root, '..', 'shared', 'data');
const docPath = path.join(root, 'docs', 'who-cns5.md');
const args = new Set(process.argv.slice(2));

function read(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    process.stderr.write(`validate-who-cns5: cannot read ${p} (set GLIOFUSE_SHARED_DATA to the folder holding tcga/)\n`);
    process.exit(2);
  }
}

const report = validateOnTcga(read(path.join(data, 'tcga', 'all_dataset.csv')), read(path.join(data, 'tcga', 'grade_data.csv')));
const md = renderMarkdown(report);
if (args.has('--json')) {
  const { comparisons, reference, ...rest } = report;
  const strip = (g: typeof reference) => ({ name: g.name, n: g.km.n, events: g.km.events, median: g.km.median, ci: [g.km.medianLower, g.km.medianUpper] });
  process.stdout.write(`${JSON.stringify({ ...rest, reference: strip(reference), comparisons: comparisons.map((c) => ({ title: c.title, a: strip(c.a), b: strip(c.b), chiSquare: c.chiSquare, logRankP: c.logRankP })) }, null, 2)}\n`);
} else if (args.has('--write')) {
  fs.writeFileSync(docPath, replaceDocSection(read(docPath), md));
  process.stdout.write(`updated ${path.relative(root, docPath)}\n`);
} else if (args.has('--check')) {
  if (docSection(read(docPath)) !== md.trim()) {
    process.stderr.write('docs/who-cns5.md is out of date with the data; run npm run validate:who-cns5 -- --write\n');
    process.exit(1);
  }
  process.stdout.write('docs/who-cns5.md matches the data\n');
} else {
  process.stdout.write(`${md}\n`);
}
