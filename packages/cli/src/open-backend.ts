import { silentLogger, type Backend } from '@baton/core';
import { UsageError } from './cli-error.js';
import { seedDemo } from './demo-data.js';

/** Which backend a URL names. */
export type BackendKind = 'memory' | 'redis' | 'postgres';

/**
 * How long (real ms) the CLI waits for a first connection before it reports the backend
 * unavailable: long enough for a remote server, short enough for a person waiting at a prompt.
 */
const CONNECT_TIMEOUT_MS = 3_000;

/** The kind of backend `url` names; throws UsageError for anything else. */
export function backendKind(url: string): BackendKind {
  if (url === 'memory:' || url === 'memory://') return 'memory';
  if (/^rediss?:\/\/\S*$/.test(url)) return 'redis';
  if (/^postgres(ql)?:\/\/\S*$/.test(url)) return 'postgres';
  throw new UsageError(`--url must start with redis://, rediss://, postgres://, postgresql:// or be memory:, got "${url}"`);
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/([^@/:]*):[^@/]*@/, '//$1:***@');
}

/**
 * Opens the backend `url` names. `prefix` is the Redis key prefix or the PostgreSQL schema. A
 * PostgreSQL schema is never created or migrated here (`baton migrate` does that), so pointing the
 * CLI at the wrong database changes nothing. `memory:` is a demo: a backend of this process with
 * seeded queues, nodes and locks, gone when the command ends.
 */
export async function openBackend(url: string, prefix: string | undefined): Promise<Backend> {
  // Each adapter is loaded only when its URL is used: `baton --help` or a memory: run then starts
  // without loading ioredis and pg.
  switch (backendKind(url)) {
    case 'memory': {
      const { MemoryBackend } = await import('@baton/memory-adapter');
      const backend = new MemoryBackend({ logger: silentLogger });
      await seedDemo(backend);
      return backend;
    }
    case 'redis': {
      const { RedisBackend } = await import('@baton/redis-adapter');
      return new RedisBackend({ url, prefix, logger: silentLogger, connectTimeoutMs: CONNECT_TIMEOUT_MS });
    }
    case 'postgres': {
      const { PostgresBackend } = await import('@baton/postgres-adapter');
      return new PostgresBackend({ connectionString: url, schema: prefix, migrate: false, logger: silentLogger, connectTimeoutMs: CONNECT_TIMEOUT_MS });
    }
  }
}
