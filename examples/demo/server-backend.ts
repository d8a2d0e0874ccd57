import { silentLogger, SystemClock, type Backend, type Clock } from '@baton/core';
import { PostgresBackend } from '@baton/postgres-adapter';
import { RedisBackend } from '@baton/redis-adapter';

/** The servers the demo runs its nodes on. */
export type ServerKind = 'redis' | 'postgres';

/**
 * A backend on Redis (keys under `<namespace>:`) or PostgreSQL (tables in the schema
 * `<namespace>` with dashes as underscores, migrated on first use).
 */
export function serverBackend(kind: ServerKind, url: string, namespace: string, clock: Clock = new SystemClock()): Backend {
  if (kind === 'redis') return new RedisBackend({ url, prefix: namespace, clock, logger: silentLogger });
  return new PostgresBackend({ connectionString: url, schema: namespace.replace(/-/g, '_'), clock, logger: silentLogger });
}
