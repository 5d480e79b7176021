import pg from 'pg';
import type { Logger } from '../config/logger.js';

export interface ChangeListenerOptions {
  readonly databaseUrl: string;
  readonly channels: readonly string[];
  readonly onNotification: (channel: string, payload: string) => void;
  /** After a reconnect: notifications sent while disconnected are lost, so look at everything again. */
  readonly onReconnect: () => void;
  readonly log: Logger;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to other queries and lose its
 * subscriptions). When the connection drops it reconnects with a growing pause, re-subscribes and
 * calls `onReconnect`; the server's periodic re-check covers the time in between.
 */
export class ChangeListener {
  private client: pg.Client | undefined;
  /** The connection of the latest attempt: events of older ones are stale. */
  private latest: pg.Client | undefined;
  private stopped = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ChangeListenerOptions) {}

  /** Connects once; if that fails it keeps trying in the background and resolves anyway. */
  async start(): Promise<void> {
    await this.connect(false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(reconnecting: boolean): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      application_name: 'mlops-serving-listener',
      keepAlive: true,
      connectionTimeoutMillis: 5000,
    });
    this.latest = client;
    client.on('notification', (message) =>
      this.options.onNotification(message.channel, message.payload ?? ''),
    );
    client.on('error', (error) => this.dropped(client, error));
    client.on('end', () => this.dropped(client, new Error('the connection ended')));
    try {
      await client.connect();
      for (const channel of this.options.channels)
        await client.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      this.dropped(client, error as Error);
      await client.end().catch(() => undefined);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = RETRY_MIN_MS;
    if (reconnecting) {
      this.options.log.info('serving: listening for registry changes again');
      this.options.onReconnect();
    }
  }

  private dropped(client: pg.Client, error: Error): void {
    if (this.stopped || client !== this.latest || this.retryTimer) return;
    this.client = undefined;
    this.options.log.warn(
      { error: error.message, retryInMs: this.retryMs },
      'serving: lost the connection that listens for registry changes; reconnecting (changes are also re-checked periodically)',
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect(true);
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }
}
