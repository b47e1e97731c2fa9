/**
 * `gliofuse classify PROFILE [--row-id ID | --all] [--out FILE.csv] [--source tcga-gbmlgg|categorical-calls] --json`:
 * the WHO CNS5 rules (docs/who-cns5.md) per row — integrated diagnosis, CNS WHO grade, criteria fired, missing
 * inputs. Goes through the router ('who.classify'). Bad input exits 2 naming the field and the row.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { badInput } from '../../../shared/errors.ts';
import { RUO_STATEMENT } from '../../../shared/ruo.ts';
import { PROFILE_SOURCE_IDS, type ClassifiedRow } from '../../../shared/contract/who-cns5.ts';

const csvCell = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** One CSV line per row; lists inside a cell are separated by " | ". */
export function classifiedCsv(rows: ClassifiedRow[]): string {
  const header = ['row_id', 'status', 'integrated_diagnosis', 'diagnosis', 'cns_who_grade', 'grade_options', 'criteria', 'missing', 'reason', 'molecular_information', 'ruo'];
  const lines = rows.map(({ rowId, result: r }) => [
    rowId ?? '', r.status, r.integratedDiagnosis, r.diagnosis, r.grade ?? '', r.gradeOptions.join('/'),
    r.criteria.map((c) => `${c.id} (${c.field} ${c.value}; ${c.threshold})`).join(' | '),
    r.missing.map((m) => m.field).join(' | '), r.reason ?? '', r.molecularInformation, RUO_STATEMENT,
  ].map(csvCell).join(','));
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

function rowText({ rowId, line, result: r }: ClassifiedRow): string {
  const out = [`${rowId ?? (line !== null ? `line ${line}` : 'profile')}: ${r.integratedDiagnosis}${r.status === 'classified' ? '' : ` [${r.status}]`}`];
  for (const c of r.criteria) out.push(`  criterion: ${c.statement} — ${c.field} ${c.value} (${c.threshold}; ${c.source})`);
  for (const m of r.missing) out.push(`  missing: ${m.field} — ${m.why}`);
  if (r.reason) out.push(`  reason: ${r.reason}`);
  for (const n of r.notes) out.push(`  note: ${n}`);
  return out.join('\n');
}

export function registerClassifyCommands(program: Command, cli: CliContext): void {
  program.command('classify')
    .description('apply the WHO CNS5 rules (rule-based, not AI) to a genomic profile: diagnosis, CNS WHO grade, criteria, missing inputs')
    .argument('<profile>', 'CSV (one row, --row-id or --all) or JSON profile')
    .option('--row-id <id>', 'the row to classify when the CSV has several (matched against the id column, e.g. "TCGA ID")')
    .option('--all', 'classify every row of the CSV')
    .option('--out <file.csv>', 'also write one CSV line per row')
    .option('--source <id>', `profile source whose CNV thresholds apply (${PROFILE_SOURCE_IDS.join(', ')})`, 'tcga-gbmlgg')
    .action(async (file: string, o: { rowId?: string; all?: boolean; out?: string; source: string }) => {
      if (!(PROFILE_SOURCE_IDS as readonly string[]).includes(o.source)) throw badInput(`--source must be one of ${PROFILE_SOURCE_IDS.join(', ')} (got "${o.source}").`);
      let content: string;
      try {
        content = fs.readFileSync(file, 'utf8');
      } catch {
        throw badInput(`Cannot read ${file}.`);
      }
      const res = await cli.call('who.classify', { fileName: path.basename(file), content, rowId: o.rowId, all: o.all, profileSource: o.source as (typeof PROFILE_SOURCE_IDS)[number] });
      if (o.out) {
        try {
          fs.writeFileSync(o.out, classifiedCsv(res.rows));
        } catch (e) {
          throw badInput(`Cannot write ${o.out} (${e instanceof Error ? e.message : 'error'}).`);
        }
      }
      cli.out(res, () => [`WHO CNS5 molecular criteria — rule-based, not AI (${res.thresholds})`, ...res.rows.map(rowText), o.out ? `wrote ${res.rows.length} row(s) to ${o.out}` : '', RUO_STATEMENT].filter(Boolean).join('\n'));
    });
}
