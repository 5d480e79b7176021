import { EncryptionCodec } from '../../codec/encryption-codec.js';
import { resolvePayloadKeys } from '../../codec/data-converter.js';
import { createCodecServer } from '../../codec/server.js';
import { ConfigError, type Config } from '../../config/index.js';
import type { Connections } from '../../config/connections.js';
import type { Logger } from '../../config/logger.js';
import { connectDatabase } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { TokenAuthority } from '../../serving/auth.js';
import { envFile, readEnvFile, writeEnvFile } from '../../stack/env-file.js';
import { ensureStack, type Stack } from '../../stack/launcher.js';
import { cliLogger, onShutdownSignal, printJson } from '../shared.js';

/** Where `mlops codec-server` listens without MLOPS_CODEC_PORT or an embedded UI to serve. */
const DEFAULT_CODEC_PORT = 8888;

export interface RunningCodecServer {
  readonly url: string;
  readonly allowedOrigins: readonly string[];
  close(): Promise<void>;
}

/**
 * The codec server in this process: the platform's keys, the serving API's tokens (an admin token
 * decodes) and CORS for the Temporal UI. On the embedded stack it listens where the stack's UI
 * was told to find it, and `.mlops/env` gains TEMPORAL_CODEC_ENDPOINT and TEMPORAL_CODEC_AUTH
 * (with the admin token `mlops up` keeps there) so the temporal CLI decodes too.
 */
export async function startCodecServer(options: {
  readonly config: Config;
  readonly stack: Stack;
  readonly log: Logger;
  readonly port?: number;
  readonly host?: string;
}): Promise<RunningCodecServer> {
  const { config, stack, log } = options;
  const ring = resolvePayloadKeys(config, stack.connections);
  if (!ring) {
    throw new ConfigError([
      'the codec server needs the payload keys the platform encrypts with: set MLOPS_PAYLOAD_KEYS or MLOPS_PAYLOAD_KEYS_FILE',
    ]);
  }
  const allowedOrigins = config.codecServer.allowedOrigins ?? defaultOrigins(config, stack.connections);
  const database = connectDatabase(stack.connections.databaseUrl, {
    maxConnections: 2,
    applicationName: 'mlops-codec-server',
  });
  const server = createCodecServer({
    codec: new EncryptionCodec(ring),
    auth: new TokenAuthority(database.db),
    allowedOrigins,
    log: log.child({ component: 'codec-server' }),
    tokenRefreshMs: config.serving.refreshIntervalMs,
  });
  try {
    await migrateDatabase(database.db);
    const embeddedUrl = stack.connections.temporal.codecUrl;
    const port =
      options.port ??
      config.codecServer.port ??
      (embeddedUrl ? Number(new URL(embeddedUrl).port) : DEFAULT_CODEC_PORT);
    const url = (await server.listen(port, options.host ?? '127.0.0.1')).replace(
      '//0.0.0.0:',
      '//127.0.0.1:',
    );
    if (stack.owned && embeddedUrl) {
      const current = await readEnvFile(config.home);
      await writeEnvFile(config.home, stack.connections, {
        ...current,
        TEMPORAL_CODEC_ENDPOINT: url,
        ...(current.MLOPS_API_TOKEN ? { TEMPORAL_CODEC_AUTH: `Bearer ${current.MLOPS_API_TOKEN}` } : {}),
      });
    }
    return {
      url,
      allowedOrigins,
      close: async () => {
        await server.close();
        await database.close();
      },
    };
  } catch (error) {
    await server.close();
    await database.close();
    throw error;
  }
}

/** The embedded UI's origin and TEMPORAL_UI_URL's: the UIs this platform links runs to. */
function defaultOrigins(config: Config, connections: Connections): string[] {
  const urls = [connections.temporal.uiUrl, config.temporal.uiUrl].filter((url): url is string =>
    Boolean(url),
  );
  return [...new Set(urls.map((url) => new URL(url).origin))];
}

/**
 * `mlops codec-server`: the codec server in the foreground, against the embedded stack (joined or
 * started) or configured services. Point a Temporal UI's codec endpoint (or the temporal CLI's
 * `--codec-endpoint`) at it.
 */
export async function codecServerCommand(
  config: Config,
  options: { port?: number; host?: string; json?: boolean },
): Promise<void> {
  const log = cliLogger(config, 'codec-server', { service: true });
  const stack = await ensureStack(config, (message) => log.info(message));
  const codecServer = await startCodecServer({
    config,
    stack,
    log,
    port: options.port,
    host: options.host,
  }).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  onShutdownSignal(async () => {
    await codecServer.close();
    await stack.stop();
  });
  const summary = {
    url: codecServer.url,
    allowedOrigins: codecServer.allowedOrigins,
    temporalUi: stack.connections.temporal.uiUrl ?? null,
    envFile: stack.owned && stack.connections.temporal.codecUrl ? envFile(config.home) : null,
  };
  if (options.json) printJson(summary);
  else {
    process.stdout.write(
      [
        `Codec server ${codecServer.url}  (POST /encode, /decode; an admin bearer token; sign in for the UI at ${codecServer.url}/)`,
        `CORS         ${codecServer.allowedOrigins.join(', ') || 'no browser origin (set MLOPS_CODEC_ORIGINS)'}`,
        `temporal CLI --codec-endpoint ${codecServer.url} --codec-auth "Bearer <token>"`,
        'Ctrl-C stops it.',
        '',
      ].join('\n'),
    );
  }
}
