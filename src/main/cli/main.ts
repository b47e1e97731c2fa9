/** Process entry of the CLI (bundled to dist/cli/main.js). */
import { runCli } from './index.ts';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
