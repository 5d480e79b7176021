import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { platformVersion } from '../config/platform-version.js';
import { TemporalBinaryNotFoundError } from '../stack/temporal-binary.js';
import * as audit from './audit/index.js';
import * as demo from './demo/index.js';
import * as gc from './gc/index.js';
import * as keys from './keys/index.js';
import * as models from './models/index.js';
import * as monitor from './monitor/index.js';
import * as platform from './platform/index.js';
import * as runs from './runs/index.js';
import * as schedule from './schedule/index.js';
import * as score from './score/index.js';
import * as serving from './serving/index.js';
import { setWideTables } from './formatting.js';
import { setLogPreferences } from './log-output.js';
import { exitCodes, UsageError } from './shared.js';

// The `mlops` command. Each group registers its own subcommands; a command's module is imported
// only when that command runs: together they load the Temporal client and worker, PostgreSQL,
// S3, DuckDB and the prediction server, about a second that `mlops --help`, a usage error or a
// light command would otherwise wait for.

const program = new Command('mlops')
  .description('The ML loop as durable Temporal workflows.')
  .version(`mlops ${platformVersion()} (Node.js ${process.version})`, '-V, --version', 'print the version')
  .option('-v, --verbose', "show the commands' info logs in a terminal (MLOPS_LOG_LEVEL picks any level)")
  .option('--wide', 'print tables whole, even when wider than the terminal (they are cut to fit it)')
  .showHelpAfterError()
  .exitOverride()
  .hook('preAction', (root, command) => {
    const options = command.optsWithGlobals<{ verbose?: boolean; json?: boolean; wide?: boolean }>();
    setLogPreferences({ verbose: options.verbose === true, json: options.json === true });
    setWideTables(options.wide === true);
  });
for (const group of [platform, demo, runs, score, models, monitor, schedule, serving, keys, audit, gc])
  group.register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`mlops: ${message}\n`);
  if (
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof TemporalBinaryNotFoundError
  )
    return exitCodes.usage;
  return exitCodes.failed;
}
