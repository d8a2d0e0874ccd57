import { setClockTimeout, type Clock, type Logger } from '@baton/core';
import pg from 'pg';
import { isConnectionError, toBatonError } from '../errors.js';

type Handler = (payload: string) => void;

/** First pause before reconnecting the LISTEN connection (ms); doubles per failure up to MAX_RETRY_MS. */
const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * The one dedicated LISTEN connection of a backend, outside the pool (a pooled connection would
 * lose its LISTENs when returned, and a transaction-pooling proxy does not keep them at all).
 * Channels are LISTENed on first use and kept; after the connection breaks, it reconnects with
 * backoff (100 ms doubling to 5 s), LISTENs every channel again and then tells the `onReconnect`
 * callbacks, because notifications sent while it was down are lost: whoever waits on one must
 * look again. Its session id (pid) identifies this process's lock waiters as live.
 */
export class Listener {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private listened = new Set<string>();
  private chain: Promise<unknown> = Promise.resolve();
  private sessionPid: number | undefined;
  /** A connection failed or was lost since the last one succeeded: notifications may have been missed. */
  private missed = false;
  private retryMs = MIN_RETRY_MS;
  private retrying = false;
  private cancelRetry: () => void = () => undefined;
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly address: string,
  ) {}

  /** The server process id of the listening session; undefined while it is not connected. */
  get pid(): number | undefined {
    return this.client ? this.sessionPid : undefined;
  }

  /**
   * Calls `handler` with the payload of every notification on `channel` (a name Baton built: no
   * quoting issues). Resolves, with the function that removes the handler (the channel stays
   * LISTENed), once LISTEN is in effect, or once the connection is known to be lost or down: the
   * handler stays, the channel is LISTENed again by the reconnect, and `onReconnect` callbacks run
   * then, so a caller that waits on notifications looks again. Rejects with
   * BackendUnavailableError when the server refuses LISTEN itself.
   */
  async listen(channel: string, handler: Handler): Promise<() => void> {
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler);
    const remove = (): void => {
      set.delete(handler);
    };
    try {
      const client = await this.connect();
      if (!this.listened.has(channel)) {
        await this.run(client, `LISTEN "${channel}"`);
        this.listened.add(channel);
      }
    } catch (error) {
      this.retryLater();
      if (!isConnectionError(error) && !this.closed) throw toBatonError(error, this.address);
    }
    return remove;
  }

  /** Resolves the listening session's pid, connecting first if needed. Rejects with BackendUnavailableError. */
  async session(): Promise<number> {
    try {
      await this.connect();
    } catch (error) {
      this.retryLater();
      throw toBatonError(error, this.address);
    }
    return this.sessionPid!;
  }

  /**
   * Calls `fn` each time the connection comes up after a failed attempt or a loss (notifications
   * may have been missed meanwhile). Returns its canceller.
   */
  onReconnect(fn: () => void): () => void {
    this.reconnectHandlers.add(fn);
    return () => {
      this.reconnectHandlers.delete(fn);
    };
  }

  /** Closes the connection for good. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelRetry();
    this.handlers.clear();
    this.reconnectHandlers.clear();
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('the LISTEN connection is closed'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client(this.config);
    client.on('notification', (message) => this.dispatch(message.channel, message.payload ?? ''));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const channels = [...this.handlers.keys()];
      if (channels.length > 0) await client.query(channels.map((c) => `LISTEN "${c}"`).join('; '));
      if (this.closed) throw new Error('the LISTEN connection was closed while it connected');
      this.listened = new Set(channels);
      this.sessionPid = rows[0]!.pid;
      this.client = client;
      this.chain = Promise.resolve();
    } catch (error) {
      this.missed = true;
      client.removeAllListeners('end');
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      throw error;
    }
    this.retryMs = MIN_RETRY_MS;
    if (this.missed) {
      this.missed = false;
      this.logger.info('the PostgreSQL LISTEN connection is back', { address: this.address });
      for (const fn of [...this.reconnectHandlers]) {
        try {
          fn();
        } catch (error) {
          this.logger.warn('a reconnect handler threw', { error: String(error) });
        }
      }
    }
    return client;
  }

  // pg deprecates overlapping queries on one client: statements on it go one after another.
  private run(client: pg.Client, sql: string): Promise<unknown> {
    const next = this.chain.then(() => client.query(sql));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private dispatch(channel: string, payload: string): void {
    for (const handler of [...(this.handlers.get(channel) ?? [])]) {
      try {
        handler(payload);
      } catch (error) {
        this.logger.warn('a notification handler threw', { channel, error: String(error) });
      }
    }
  }

  private lost(client: pg.Client, error?: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.missed = true;
    this.listened.clear();
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.logger.warn('the PostgreSQL LISTEN connection was lost; reconnecting', { address: this.address, error: String(error ?? 'closed') });
    this.retryLater();
  }

  private retryLater(): void {
    if (this.closed || this.retrying || this.client) return;
    this.retrying = true;
    this.cancelRetry = setClockTimeout(this.clock, this.retryMs, () => {
      this.retrying = false;
      this.connect().catch((error: unknown) => {
        this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
        this.logger.debug('reconnecting the LISTEN connection failed', { error: String(error) });
        this.retryLater();
      });
    });
  }
}
