import { BackendUnavailableError, InvalidArgumentError, type Logger } from '@baton/core';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { createClusterClient, describeCluster, duplicateClient, type ClusterStartupNode } from './cluster/cluster-client.js';
import { defineScripts } from './script-loader.js';

/** How to reach Redis: a URL, an existing client, or ioredis options (host, port, tls, sentinels, …). */
export type RedisConnectionOptions = RedisOptions & {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://…` (TLS); other ioredis options still apply. */
  url?: string;
  /** A client the application owns: Baton uses it (and duplicates of it) but never closes it. */
  client?: Redis;
  /** Redis Cluster startup nodes: Baton opens an ioredis `Cluster` on them (the other ioredis options apply to every node). */
  cluster?: ClusterStartupNode[];
  /** ioredis Cluster options (`scaleReads`, `natMap`, …), with `cluster` only. */
  clusterOptions?: ClusterOptions;
};

/** The address of a connection for error messages, without credentials. */
function describeAddress(options: RedisConnectionOptions): string {
  if (options.client) {
    const o = options.client.options;
    return `${o.host ?? '127.0.0.1'}:${o.port ?? 6379}`;
  }
  if (options.cluster) return describeCluster(options.cluster);
  if (options.url) return options.url.replace(/\/\/[^@/]*@/, '//');
  if (options.sentinels) return `sentinel group ${options.name ?? '?'}`;
  return `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

/**
 * The connections of one backend: the main client (commands and scripts), one subscriber (pub/sub
 * for every queue's waits and events, lock grants and registry watches), and blocking clients
 * duplicated from the main one for commands that block a connection (a lock confirmation's WAIT; one per call in flight, reused). Closes
 * only what it created.
 */
export class Connections {
  readonly main: Redis;
  readonly address: string;
  /** True on Redis Cluster: keys of different slots never meet in one command or script. */
  readonly cluster: boolean;
  private readonly ownsMain: boolean;
  private readonly created: Redis[] = [];
  private readonly idleBlocking: Redis[] = [];
  private everReady = false;
  private firstReady: Promise<void> | undefined;
  private lastError: Error | undefined;
  private closed = false;
  /** Listeners put on the given client, removed at close (it outlives the backend). */
  private readonly detach: Array<() => void> = [];

  constructor(
    options: RedisConnectionOptions,
    private readonly connectTimeoutMs: number,
    private readonly logger: Logger,
    private readonly commandTimeoutMs: number,
  ) {
    const { url, client, cluster, clusterOptions, ...redisOptions } = options;
    this.address = describeAddress(options);
    this.cluster = cluster !== undefined || (client as unknown) instanceof Cluster;
    // scripts build some keys from ARGV, which a client-side key prefix would not reach
    if (redisOptions.keyPrefix || client?.options.keyPrefix || clusterOptions?.keyPrefix || clusterOptions?.redisOptions?.keyPrefix) {
      throw new InvalidArgumentError('keyPrefix', 'is not supported; use the backend `prefix` option instead');
    }
    if (client) {
      this.main = client;
      this.ownsMain = false;
    } else {
      // No auto-pipelining by default: measured, it made one-at-a-time operations (an awaited
      // enqueue, a lock cycle) 25-40 % slower, and the batches that matter are built by the
      // adapter itself (enqueueMany, dequeueMany, completions of one turn in one call).
      // `enableAutoPipelining: true` in the options turns it on.
      // A command timeout bounds every call on a frozen or half-open server; the application's own
      // `commandTimeout` wins.
      const settings: RedisOptions = { connectTimeout: connectTimeoutMs, commandTimeout: commandTimeoutMs, ...redisOptions };
      if (cluster) this.main = createClusterClient(cluster, settings, clusterOptions);
      else this.main = url === undefined ? new Redis(settings) : new Redis(url, settings);
      this.ownsMain = true;
      this.created.push(this.main);
    }
    defineScripts(this.main);
    this.watch(this.main, 'main');
    if (this.main.status === 'ready') this.everReady = true;
    const onReady = (): void => {
      this.everReady = true;
    };
    this.main.on('ready', onReady);
    this.detach.push(() => this.main.off('ready', onReady));
    if (this.main.status === 'wait') this.main.connect().catch(() => undefined);
  }

  /**
   * Resolves once the main client has been connected at least once. Before that, rejects with
   * BackendUnavailableError naming the address as soon as a connection attempt fails, or after
   * the connect timeout: Baton never hangs on a Redis that was never reachable. Later outages are
   * ridden out by the client's reconnects and offline queue.
   */
  ready(): Promise<void> {
    if (this.everReady || this.main.status === 'ready') return Promise.resolve();
    if (this.lastError && this.main.status !== 'connect') return Promise.reject(this.unavailable(this.lastError));
    // Calls made before the first connection share one wait (one pair of listeners, one timer).
    this.firstReady ??= this.waitForFirstReady().finally(() => {
      this.firstReady = undefined;
    });
    return this.firstReady;
  }

  private waitForFirstReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.main.off('ready', onReady);
        this.main.off('error', onError);
        this.main.off('end', onEnd);
      };
      const onReady = (): void => {
        cleanup();
        resolve();
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(this.unavailable(error));
      };
      // 'end': no connection will be made any more (closed while connecting, or no retries left),
      // so waiting out the connect timeout would only delay the failure.
      const onEnd = (): void => onError(new Error('the connection was closed before it was ready'));
      // A network deadline, not domain time: it is measured in real time even under a test clock.
      const timer = setTimeout(() => {
        cleanup();
        reject(this.unavailable(new Error(`no connection within ${this.connectTimeoutMs} ms`)));
      }, this.connectTimeoutMs);
      this.main.on('ready', onReady);
      this.main.on('error', onError);
      this.main.on('end', onEnd);
    });
  }

  /** A client for one blocking command; give it back with `releaseBlocking`. */
  takeBlocking(): Redis {
    const idle = this.idleBlocking.pop();
    if (idle) return idle;
    // A blocking command may rightly go unanswered for its whole wait: it is bounded by that wait
    // plus the command timeout instead of by the command timeout alone.
    const client = duplicateClient(this.main, {
      lazyConnect: false,
      enableAutoPipelining: false,
      commandTimeout: undefined,
      blockingTimeout: this.commandTimeoutMs,
      blockingTimeoutGrace: this.commandTimeoutMs,
    });
    this.created.push(client);
    this.watch(client, 'blocking');
    return client;
  }

  /** Returns a blocking client to the pool (or closes it when the backend closed). */
  releaseBlocking(client: Redis): void {
    if (this.closed) client.disconnect();
    else this.idleBlocking.push(client);
  }

  /**
   * Closes a blocking client whose command is being abandoned, instead of giving it back to the
   * pool. Resolves once the connection has closed: the server answers our FIN only after it freed
   * the client, so from then on its blocking command can no longer take anything (bounded by 1 s
   * of real time, as close() is, for a server that does not answer).
   */
  discardBlocking(client: Redis): Promise<void> {
    const index = this.created.indexOf(client);
    if (index >= 0) this.created.splice(index, 1);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, 1_000).unref();
      // a Redis says 'close' (then 'end') when its socket closed; a Cluster says 'close' once every node's has
      function done(): void {
        clearTimeout(timer);
        client.off('close', done);
        client.off('end', done);
        resolve();
      }
      client.once('close', done);
      client.once('end', done);
      client.disconnect();
    });
  }

  /** A new duplicate for pub/sub, closed with the backend. */
  createSubscriber(): Redis {
    const client = duplicateClient(this.main, { lazyConnect: false, enableAutoPipelining: false, commandTimeout: undefined });
    this.created.push(client);
    this.watch(client, 'subscriber');
    return client;
  }

  /** Closes the clients this backend created (quit, or disconnect when quit does not answer). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.detach.splice(0)) off();
    await Promise.all(
      this.created.map(async (client) => {
        if (client === this.main && this.ownsMain && client.status === 'ready') {
          const quit = client.quit().catch(() => undefined);
          const timeout = new Promise((resolve) => setTimeout(resolve, 1_000).unref());
          await Promise.race([quit, timeout]);
        }
        client.disconnect();
      }),
    );
  }

  private unavailable(cause: Error): BackendUnavailableError {
    return new BackendUnavailableError(
      `Redis at ${this.address} cannot be used: ${cause.message}. Check that it runs, that the address is right and the credentials are valid.`,
      { cause },
    );
  }

  private watch(client: Redis, role: string): void {
    const onError = (error: Error): void => {
      this.lastError = error;
      if (!this.closed) this.logger.debug('redis connection error', { role, address: this.address, error: error.message });
    };
    client.on('error', onError);
    if (client === this.main && !this.ownsMain) this.detach.push(() => client.off('error', onError));
  }
}
