import { inject } from 'vitest';
import pg from 'pg';
import { PostgresBackend, type PostgresBackendOptions } from '../src/index.js';
import type { PgContext } from '../src/backend-context.js';

/** The run's own database (see test/setup/postgres-global-setup.ts); '' when PostgreSQL tests skip. */
export const postgresUrl = inject('postgresUrl');

let sequence = 0;

/** A schema name of its own for one test. */
export function freshSchema(label: string): string {
  return `t_${label}_${process.pid}_${(sequence++).toString(36)}`;
}

/**
 * Backends and raw clients for one test, all closed by `close()` (call it in afterEach).
 * `backend()` makes another node on the same schema.
 */
export class PgTestBed {
  private readonly backends: PostgresBackend[] = [];
  private readonly clients: pg.Client[] = [];

  constructor(readonly schema: string) {}

  backend(options: Partial<PostgresBackendOptions> = {}): PostgresBackend {
    const backend = new PostgresBackend({ connectionString: postgresUrl, schema: this.schema, max: 4, ...options } as PostgresBackendOptions);
    this.backends.push(backend);
    return backend;
  }

  /** A plain client on the run's database, for looking at tables and killing sessions. */
  async sql(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    this.clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.backends.map((b) => b.close()));
    await Promise.allSettled(this.clients.map((c) => c.end()));
  }
}

/** The backend's internals, for tests that must reach its LISTEN session. */
export function contextOf(backend: PostgresBackend): PgContext {
  return (backend as unknown as { ctx: PgContext }).ctx;
}

/** Resolves after `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 20 ms until it returns true or `withinMs` passes; resolves whether it did. */
export async function until(check: () => boolean | Promise<boolean>, withinMs: number): Promise<boolean> {
  const giveUpAt = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= giveUpAt) return false;
    await sleep(20);
  }
}
