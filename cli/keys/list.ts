import type { Config } from '../../config/index.js';
import { payloadKeyIds } from '../../config/payload-keys.js';
import { renderTable } from '../formatting.js';
import { exitCodes, printJson } from '../shared.js';
import { payloadKeySource, presentKeyIds } from './key-file.js';

/**
 * `mlops keys list`: the payload key ids in order (the first encrypts) and where they come from;
 * never key material. Reads the configuration and the key file only: no stack is started.
 */
export async function keysListCommand(config: Config, options: { json?: boolean }): Promise<number> {
  const source = payloadKeySource(config);
  const listing =
    source.kind === 'environment'
      ? { source: 'MLOPS_PAYLOAD_KEYS', file: null, keyIds: idsOfEnvironment(config) }
      : source.kind === 'file'
        ? { source: source.file, file: source.file, keyIds: (await presentKeyIds(source)) ?? [] }
        : { source: null, file: null, keyIds: [] };
  if (options.json) {
    printJson({
      ...listing,
      embedded: source.kind === 'file' && source.embedded,
      encrypting: listing.keyIds[0] ?? null,
    });
    return exitCodes.ok;
  }
  if (source.kind === 'none')
    process.stdout.write(
      'no payload keys: payloads reach Temporal in plain text; set MLOPS_PAYLOAD_KEYS_FILE to a file of id:base64key lines (see "Encryption" in the README)\n',
    );
  else if (listing.keyIds.length === 0)
    process.stdout.write(
      `${listing.source}: not made yet (the embedded stack makes it on its first start)\n`,
    );
  else
    process.stdout.write(
      `${[
        `keys from ${listing.source}:`,
        ...renderTable(
          ['ID', 'USE'],
          listing.keyIds.map((id, index) => [id, index === 0 ? 'encrypts and decrypts' : 'decrypts']),
        ),
      ].join('\n')}\n`,
    );
  return exitCodes.ok;
}

function idsOfEnvironment(config: Config): string[] {
  const configured = config.payloadKeys;
  if (!configured || !('text' in configured)) return [];
  return payloadKeyIds(configured.text, 'MLOPS_PAYLOAD_KEYS');
}
