import { silentLogger, type Logger } from '@baton/core';
import pg from 'pg';
import { toBatonError } from '../errors.js';
import { assertSchemaName, DEFAULT_SCHEMA } from './identifiers.js';
import { migrateSchema, type MigrationResult } from './migrate.js';

/** What `migrate()` needs: where the database is, and which schema. */
export interface MigrateOptions extends pg.ClientConfig {
  /** Run on a connection of this pool instead of opening one (the pool is not ended). */
  pool?: pg.Pool;
  /** @default 'baton' */
  schema?: string;
  /** Where the versions applied are logged (info). @default silentLogger */
  logger?: Logger;
}

/**
 * Brings a schema to the version this package needs, for deployments that migrate before the
 * processes start (a `baton migrate` step) and run the backends with `migrate: false`. Safe to
 * run from several processes at once (an advisory lock serializes them; each step is applied
 * once). Resolves the versions before and after. Throws BackendDataError when the schema is newer
 * than this package, BackendUnavailableError when the database cannot be reached or refuses a step
 * (nothing of that run is kept).
 */
export async function migrate(options: MigrateOptions = {}): Promise<MigrationResult> {
  const { pool, schema = DEFAULT_SCHEMA, logger = silentLogger, ...config } = options;
  assertSchemaName('options.schema', schema);
  const client = pool ? await pool.connect() : new pg.Client(config);
  try {
    if (!pool) await (client as pg.Client).connect();
    return await migrateSchema(client, schema, logger);
  } catch (error) {
    throw toBatonError(error, pool ? 'the given pool' : (config.host ?? config.connectionString?.replace(/\/\/[^@]*@/, '//') ?? 'postgres'));
  } finally {
    if (pool) (client as pg.PoolClient).release();
    else await (client as pg.Client).end().catch(() => undefined);
  }
}
