import { createHash } from 'node:crypto';
import { BackendDataError, type Logger } from '@baton/core';
import pg from 'pg';
import { toBatonError } from '../errors.js';
import { quoteSchema } from '../schema/identifiers.js';
import { migrateSchema } from '../schema/migrate.js';
import { SCHEMA_VERSION } from '../schema/migrations.js';

/** How the backend reaches PostgreSQL: a connection string, a pool you own, or any `pg` pool setting. */
export interface PostgresConnectionOptions extends pg.PoolConfig {
  /**
   * A pool the application owns: Baton runs its statements on it and never ends it. Its settings
   * also open the dedicated LISTEN connection unless `listenConnection` is given.
   */
  pool?: pg.Pool;
  /**
   * Where the one dedicated LISTEN connection goes, when it must differ from the pool's: a
   * connection string or `pg` client settings. Give the server's own address when the pool goes
   * through a transaction-pooling proxy (PgBouncer in transaction mode does not keep LISTEN).
   * @default the pool's settings
   */
  listenConnection?: string | pg.ClientConfig;
}

/** Settings of a Database besides the connection. */
export interface DatabaseSettings {
  schema: string;
  /** Bring the schema to this code's version on first use (else only check it). */
  migrate: boolean;
  /** Connect timeout (ms) of every connection Baton opens. */
  connectTimeoutMs: number;
  /** Client-side timeout (ms) of one statement on the connections Baton opens. */
  commandTimeoutMs: number;
  /** Send statements as named prepared statements (parsed and planned once per connection). */
  preparedStatements: boolean;
}

/** `host:port/database` of a connection, never its password. */
function describe(config: pg.ClientConfig): string {
  if (config.connectionString) {
    try {
      const url = new URL(config.connectionString);
      return `${url.hostname || 'localhost'}:${url.port || 5432}${url.pathname}`;
    } catch {
      return 'postgres (unparsed connection string)';
    }
  }
  return `${config.host ?? process.env.PGHOST ?? 'localhost'}:${config.port ?? process.env.PGPORT ?? 5432}/${config.database ?? process.env.PGDATABASE ?? ''}`;
}

// Settings that belong to the pool, not to one connection.
const POOL_ONLY = [
  'max',
  'min',
  'idleTimeoutMillis',
  'log',
  'Promise',
  'allowExitOnIdle',
  'maxUses',
  'maxLifetimeSeconds',
  'Client',
  'onConnect',
  'verify',
] as const;

/**
 * The pool of one backend and the schema behind it. Every statement waits, the first time, for
 * the schema to be migrated (or checked); a failed preparation is tried again by the next
 * statement. Errors come out as BatonErrors naming the server.
 */
export class Database {
  readonly pool: pg.Pool;
  /** `host:port/database`, for messages. */
  readonly address: string;
  /** Client settings of the dedicated LISTEN connection. */
  readonly listenConfig: pg.ClientConfig;
  /** The quoted schema name, for SQL text. */
  readonly s: string;
  private readonly ownsPool: boolean;
  private preparing: Promise<void> | undefined;
  private prepared = false;
  private readonly names = new Map<string, string>();

  constructor(
    connection: PostgresConnectionOptions,
    readonly settings: DatabaseSettings,
    private readonly logger: Logger,
  ) {
    const { pool, listenConnection, ...config } = connection;
    this.s = quoteSchema(settings.schema);
    const timeouts = { connectionTimeoutMillis: settings.connectTimeoutMs, query_timeout: settings.commandTimeoutMs, keepAlive: true };
    if (pool) {
      this.pool = pool;
      this.ownsPool = false;
    } else {
      this.pool = new pg.Pool({ ...timeouts, ...config, application_name: config.application_name ?? 'baton' });
      this.ownsPool = true;
      // An idle connection that breaks (server restart) is replaced on the next checkout; without
      // a listener, pg-pool's 'error' event would end the process.
      this.pool.on('error', (error) => this.logger.debug('an idle PostgreSQL connection failed', { error: String(error) }));
    }
    const base: pg.ClientConfig = { ...(pool ? (pool.options as pg.ClientConfig) : config) };
    for (const key of POOL_ONLY) delete (base as Record<string, unknown>)[key];
    const explicit = typeof listenConnection === 'string' ? { connectionString: listenConnection } : listenConnection;
    this.listenConfig = { ...timeouts, ...(explicit ?? base), application_name: 'baton-listen' };
    this.address = describe(explicit ?? base);
  }

  /** Resolves once the schema is at this code's version (migrating it when the settings say so). */
  ready(): Promise<void> {
    if (this.prepared) return Promise.resolve();
    this.preparing ??= this.prepare().then(
      () => {
        this.prepared = true;
      },
      (error: unknown) => {
        this.preparing = undefined;
        throw toBatonError(error, this.address);
      },
    );
    return this.preparing;
  }

  /** Runs one statement (after `ready`) and resolves its rows. Throws BackendUnavailableError (or the BatonError the schema check threw). */
  async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    if (!this.prepared) await this.ready();
    try {
      if (!this.settings.preparedStatements) return (await this.pool.query<R>(text, values)).rows;
      return (await this.pool.query<R>({ name: this.nameOf(text), text, values })).rows;
    } catch (error) {
      throw toBatonError(error, this.address);
    }
  }

  // A name per statement text (a hash, so two backends with different schemas on one given pool
  // never reuse a name for another text, which pg refuses).
  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = `baton_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.names.set(text, name);
    }
    return name;
  }

  /** Ends the pool if the backend created it; a given pool is left to its owner. */
  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end().catch((error: unknown) => this.logger.debug('ending the pool failed', { error: String(error) }));
  }

  private async prepare(): Promise<void> {
    const client = await this.pool.connect();
    try {
      if (this.settings.migrate) {
        await migrateSchema(client, this.settings.schema, this.logger);
        return;
      }
      const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${this.s}.baton_migrations`).catch(() => ({ rows: [{ v: 0 }] }));
      const found = rows[0]?.v ?? 0;
      if (found !== SCHEMA_VERSION) {
        throw new BackendDataError(
          `Schema "${this.settings.schema}" is at version ${found}, this code needs ${SCHEMA_VERSION}; run migrate() (or \`baton migrate\`), or let the backend migrate (migrate: true).`,
        );
      }
    } finally {
      client.release();
    }
  }
}
