/**
 * The `gliofuse` command line: the same services as the app, wired through the same router.
 * Exit codes: 0 ok, 1 the operation failed, 2 bad input. Errors are one line on stderr, never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { createCliContext, type GlobalOptions } from './context.ts';
import { registerCoreCommands } from './commands/core.ts';
import { registerModelsCommands } from './commands/models.ts';
import { registerGenomicsCommands } from './commands/genomics.ts';
import { registerEvaluateCommands } from './commands/evaluate.ts';
import { registerSlideCommands } from './commands/slide.ts';
import { registerReportCommands } from './commands/report.ts';
import { registerAnalysisCommands } from './commands/analysis.ts';
import { registerClassifyCommands } from './commands/classify.ts';
import { registerCohortCommands } from './commands/cohort.ts';
import { appVersion } from '../version.ts';
import { toErrorShape } from '../../shared/errors.ts';
import { storageFailure } from '../store/storage-errors.ts';
import { RUO_STATEMENT } from '../../shared/ruo.ts';

export async function runCli(argv: string[]): Promise<number> {
  const program = new Command('gliofuse');
  const cli = createCliContext(() => program.opts<GlobalOptions>());
  program
    .description(`Gliofuse — offline multimodal decision support for neuro-oncology.\n${RUO_STATEMENT}`)
    .version(appVersion(), '-V, --version', 'print the version')
    .option('--db <path>', 'database file (default: GLIOFUSE_DB or the user data folder)')
    .option('--as <user>', 'the Gliofuse account this command acts as (default: GLIOFUSE_USER or your OS login name)')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);

  registerCoreCommands(program, cli);
  registerModelsCommands(program, cli);
  registerGenomicsCommands(program, cli);
  registerEvaluateCommands(program, cli);
  registerSlideCommands(program, cli);
  registerReportCommands(program, cli);
  registerAnalysisCommands(program, cli);
  registerClassifyCommands(program, cli);
  registerCohortCommands(program, cli); // after analysis: `batch merge` is a subcommand of its `batch`
  // Areas register here (slide engine, models/genomics/evaluate, analysis/report).

  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (caught) {
    const err = storageFailure(caught); // a raw file-system failure becomes its one line (store/storage-errors.ts)
    if (err instanceof CommanderError) {
      // --help and --version end with a CommanderError whose exitCode is 0.
      if (err.exitCode === 0) return 0;
      return 2;
    }
    const shape = toErrorShape(err);
    if (shape.code === 'INTERNAL') process.stderr.write(`gliofuse: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    else process.stderr.write(`gliofuse: ${shape.message}\n`);
    return shape.code === 'BAD_INPUT' ? 2 : 1;
  } finally {
    await cli.close().catch(() => undefined);
  }
}
