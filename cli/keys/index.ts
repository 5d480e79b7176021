import type { Command } from 'commander';
import { lazyCommand } from '../shared.js';

/** `mlops keys list|rotate|retire`: the payload encryption keys, their ids only, every change audited. */
export function register(program: Command): void {
  const keys = program
    .command('keys')
    .description('payload encryption keys: list their ids, rotate, retire (audited; never shows a key)');
  keys
    .command('list')
    .description('key ids in order (the first encrypts) and where they come from')
    .option('--json', 'print the ids and their source as JSON')
    .action(lazyCommand(async () => (await import('./list.js')).keysListCommand));
  keys
    .command('rotate')
    .description(
      'a new random key first in the key file (MLOPS_PAYLOAD_KEYS_FILE or .mlops/payload-keys), the old ones kept',
    )
    .option('--id <id>', 'the new key id (default key-<yyyymmdd>-<8 hex>)')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print the change as JSON')
    .action(lazyCommand(async () => (await import('./rotate.js')).keysRotateCommand));
  keys
    .command('retire')
    .description('remove a key that no longer encrypts: payloads still under it become unreadable')
    .argument('<id>', 'the key id (`mlops keys list`)')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print the change as JSON')
    .action(lazyCommand(async () => (await import('./retire.js')).keysRetireCommand));
}
