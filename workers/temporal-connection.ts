import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Logger } from '../config/logger.js';

/** How long a worker waits for Temporal at start before it gives up (and exits, saying why). */
export const TEMPORAL_WAIT_MS = 120_000;

/**
 * The worker's connection to Temporal, waited for: a worker started before its server (a compose
 * file or a node booting in any order) or while the server restarts keeps trying, 0.5 s then
 * doubling to 10 s between tries, for `waitMs`. Only an unreachable server (a TransportError:
 * refused, reset, DNS) is waited for; a refused API key or certificate fails at once.
 */
export async function connectToTemporal(
  options: NativeConnectionOptions,
  log: Logger,
  waitMs = TEMPORAL_WAIT_MS,
): Promise<NativeConnection> {
  const deadline = Date.now() + waitMs;
  for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, 10_000)) {
    try {
      return await NativeConnection.connect(options);
    } catch (error) {
      if ((error as Error).name !== 'TransportError' || Date.now() + delayMs > deadline) throw error;
      log.warn(
        { address: options.address, error: (error as Error).message, retryInMs: delayMs },
        'Temporal is unreachable; trying again',
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
