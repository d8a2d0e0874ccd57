import pg from 'pg';
import { PrivatePostgres } from '../../test/faults/support/private-postgres.js';

/** A database of the bench's own, dropped (with its private server) by `drop`. */
export interface BenchDatabase {
  url: string;
  /** `server_version` and the durability settings the run used, for the report. */
  describe: string;
  drop(): Promise<void>;
}

/**
 * Starts a PostgreSQL server of the bench's own (initdb in a temp folder, free loopback port,
 * fsync and synchronous_commit on), so that other work on the machine's shared server does not
 * share its WAL flushes, or uses BENCH_POSTGRES_URL (an admin URL) when set. Creates
 * `baton_bench_<pid>` there (never touching another database) and reads the settings that decide
 * durability, so the report can show that nothing was relaxed.
 */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `baton_bench_${process.pid}`;
  const server = process.env.BENCH_POSTGRES_URL ? undefined : await PrivatePostgres.start();
  const adminUrl = process.env.BENCH_POSTGRES_URL ?? server!.url;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  let describe: string;
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
    const { rows } = await admin.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'commit_delay') ORDER BY name`,
    );
    const s = Object.fromEntries(rows.map((r) => [r.name, r.setting]));
    describe = `PostgreSQL ${s.server_version} (${server ? 'a private server the bench started' : 'BENCH_POSTGRES_URL'}, loopback, fsync ${s.fsync}, synchronous_commit ${s.synchronous_commit}, full_page_writes ${s.full_page_writes}, wal_sync_method ${s.wal_sync_method}, commit_delay ${s.commit_delay})`;
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    describe,
    async drop() {
      if (server) {
        await server.destroy();
        return;
      }
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Commits of the bench database so far (pg_stat_database.xact_commit). The server publishes
 * other sessions' counts up to a second late, so callers wait before reading.
 */
export async function commitCount(client: pg.Client): Promise<number> {
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0]!.n);
}
