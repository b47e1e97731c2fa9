/**
 * `gliofuse report CASE_ID --out F.pdf [--analysis ID]`: the same report the app exports (same channel, same
 * audit event, sha256 stored in `reports`), written to a file of the user's choice as well.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { badInput } from '../../../shared/errors.ts';

function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw badInput(`${name} must be a positive whole number (got "${v}").`);
    return Number(v);
  };
}

export function registerReportCommands(program: Command, cli: CliContext): void {
  program.command('report')
    .description('export the case report PDF (signed diagnosis or NOT SIGNED, AI-suggested results, provenance)')
    .argument('<case-id>', 'the case id (a number, as in "gliofuse case list")')
    .requiredOption('--out <file.pdf>', 'where to write the PDF')
    .option('--analysis <id>', 'which finished analysis to report (default: the signed one, else the newest)', positiveInt('--analysis'))
    .action(async (caseRef: string, o: { out: string; analysis?: number }) => {
      const caseId = positiveInt('CASE_ID')(caseRef);
      const out = path.resolve(o.out);
      if (!fs.existsSync(path.dirname(out))) throw badInput(`The folder of --out does not exist: ${path.dirname(out)}.`);
      if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw badInput(`--out names a folder; give a file name such as ${path.join(o.out, 'report.pdf')}.`);
      const r = await cli.call('report.export', { caseId, ...(o.analysis ? { analysisId: o.analysis } : {}) });
      const pdf = Buffer.from(r.pdfBase64, 'base64');
      fs.writeFileSync(out, pdf);
      cli.out({ ...r.report, out, bytes: pdf.length }, `wrote ${out} (${pdf.length} bytes, sha256 ${r.report.sha256}, ${r.report.signed ? 'signed' : 'NOT SIGNED'})`);
    });
}
