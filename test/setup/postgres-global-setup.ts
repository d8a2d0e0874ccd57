import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a database this run created on the machine's PostgreSQL (dropped at teardown); '' when PostgreSQL tests must skip. */
    postgresUrl: string;
  }
}

/** The server the run creates its database on: POSTGRES_URL, or the machine's PostgreSQL with trust auth. */
const ADMIN_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Creates a database with a name of its own (`baton_test_<pid>_<random>`) for the whole run and
 * drops it at teardown (WITH (FORCE): a test that left a session open cannot keep it). Never
 * touches another database. Without a reachable server the PostgreSQL tests skip with a warning,
 * except under CI=true, where the run fails.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = `baton_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    if (process.env.CI === 'true') throw new Error(`CI=true and no database could be created on ${ADMIN_URL}: ${String(error)}`, { cause: error });
    console.warn(`\n*** PostgreSQL at ${ADMIN_URL} is not usable (${String(error)}); PostgreSQL tests will be SKIPPED ***\n`);
    project.provide('postgresUrl', '');
    return async () => undefined;
  }
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  project.provide('postgresUrl', url.toString());
  return async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
}
