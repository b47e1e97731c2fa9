/** `gliofuse genomics validate FILE` (no database) and `genomics import FILE --case ID` (docs/genomics.md). */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { badInput } from '../../../shared/errors.ts';
import { summariseErrors, validateProfile, type GenomicValidationReport } from '../../genomics/profile.ts';
import type { ModelRegistry, VerifiedPackage } from '../../inference/model-packages.ts';
import { cliModelRegistry } from './models.ts';
import { readProfileFile } from './analysis-inputs.ts';

/** The package validated against when --model is not given. */
export const DEFAULT_MODEL_ID = 'umeml-gbmlgg-genomic-ref';

/** --model, else the reference package when installed, else the only verified package. */
export async function pickModel(reg: ModelRegistry, id: string | undefined): Promise<VerifiedPackage> {
  if (id) return reg.get(id);
  const ok = (await reg.list()).filter((c) => c.ok && c.manifest);
  const ids = [...new Set(ok.map((c) => c.manifest?.id ?? ''))];
  if (ids.includes(DEFAULT_MODEL_ID)) return reg.get(DEFAULT_MODEL_ID);
  if (ids.length === 1) return reg.get(ids[0] as string);
  throw badInput(ids.length ? `Several model packages are installed (${ids.join(', ')}); choose one with --model.` : 'No verified model package is installed; import one with "gliofuse models import DIR".');
}

/** The one size limit and message for profiles, shared with analyze (src/shared/input-limits.ts). */
const readFile = readProfileFile;

function reportText(r: GenomicValidationReport): string {
  const lines = [`${r.ok ? 'valid' : 'INVALID'} for ${r.modelId} ${r.modelVersion}${r.rowId ? `, row ${r.rowId}` : ''}: ${r.observed} observed, ${r.imputed} imputed, ${r.errors.length} error(s)`];
  for (const e of r.errors) lines.push(`  error: ${e.message}`);
  const imputed = r.fields.filter((f) => f.status === 'imputed').map((f) => f.featureId);
  if (imputed.length) lines.push(`  imputed: ${imputed.join(', ')}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

export function registerGenomicsCommands(program: Command, cli: CliContext): void {
  const g = program.command('genomics').description('genomic profiles: validate against a model package, import into a case');

  g.command('validate')
    .description('check a CSV (one row, or --row-id) or JSON profile against the package schema; exit 2 if invalid')
    .argument('<file>', 'CSV or JSON file')
    .option('--row-id <id>', 'the row to use when the CSV has several (matched against the id column, e.g. "TCGA ID")')
    .option('--model <id>', `model package whose genomic schema applies (default: ${DEFAULT_MODEL_ID} or the only installed one)`)
    .action(async (file: string, o: { rowId?: string; model?: string }) => {
      const pkg = await pickModel(cliModelRegistry(), o.model);
      const { report } = validateProfile({ id: pkg.id, version: pkg.manifest.version, schema: pkg.manifest.genomicSchema }, path.basename(file), readFile(file), o.rowId);
      cli.out(report, () => reportText(report));
      if (!report.ok) throw badInput(`The genomic profile is invalid: ${summariseErrors(report)}.`);
    });

  g.command('import')
    .description('validate and store a profile for a case (audited genomics.imported)')
    .argument('<file>', 'CSV or JSON file')
    .requiredOption('--case <id>', 'case id')
    .option('--row-id <id>', 'the row to use when the CSV has several')
    .option('--model <id>', 'model package whose genomic schema applies')
    .action(async (file: string, o: { case: string; rowId?: string; model?: string }) => {
      if (!/^\d+$/.test(o.case) || Number(o.case) < 1) throw badInput(`--case must be a case id (got "${o.case}").`);
      const modelId = o.model ?? (await pickModel(cliModelRegistry(), undefined)).id;
      const p = await cli.call('genomics.import', { caseId: Number(o.case), fileName: path.basename(file), content: readFile(file), rowId: o.rowId, modelId });
      cli.out(p, () => `stored genomic profile ${p.id} for case ${p.caseId} (${p.patientPseudonym}): ${p.report.observed} observed, ${p.report.imputed} imputed\n${reportText(p.report)}`);
    });
}
