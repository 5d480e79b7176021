import type { Command } from 'commander';
import { parseBatchSize, parsePort } from '../options.js';
import { lazyCommand } from '../shared.js';

/** The prediction server, its clients and its bearer tokens: `mlops serve`, `predict`, `tokens`. */
export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'the prediction server in the foreground (KServe V1 and V2 REST; embedded stack or configured services)',
    )
    .option(
      '--port <port>',
      'port to listen on (default MLOPS_SERVING_PORT or 8080; 0: a free port)',
      parsePort,
    )
    .option('--host <address>', 'address to listen on (default MLOPS_SERVING_HOST or 127.0.0.1)')
    .option('--json', 'print the URL, models and token file as JSON')
    .action(lazyCommand(async () => (await import('./serve.js')).serveCommand));

  program
    .command('predict')
    .description('predictions from the prediction server for a JSON Lines file (one instance per line)')
    .argument('<name>', 'the model')
    .requiredOption('--input <file.jsonl>', 'instances, one JSON object per line')
    .option('--batch <n>', 'instances per request (1-1000)', parseBatchSize, 100)
    .option('--json', 'print predictions, probabilities, versions and prediction ids as JSON')
    .action(lazyCommand(async () => (await import('./predict.js')).predictCommand));

  const tokens = program.command('tokens').description('bearer tokens of the prediction server');
  const tokenCommands = () => import('./tokens.js');
  tokens
    .command('create')
    .description('a new token; printed once (only its hash is stored)')
    .requiredOption('--name <name>', 'what the token is for (revoke it by this name)')
    .option(
      '--scopes <scopes>',
      'comma-separated: predict, feedback, admin (admin implies the others)',
      'predict',
    )
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print the token as JSON')
    .action(lazyCommand(async () => (await tokenCommands()).tokensCreateCommand));
  tokens
    .command('revoke')
    .description('withdraw the active token of this name')
    .argument('<name>', 'the token name')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print the result as JSON')
    .action(lazyCommand(async () => (await tokenCommands()).tokensRevokeCommand));
  tokens
    .command('list')
    .description('token names, scopes and dates (never the tokens)')
    .option('--json', 'print the tokens as JSON')
    .action(lazyCommand(async () => (await tokenCommands()).tokensListCommand));
}
