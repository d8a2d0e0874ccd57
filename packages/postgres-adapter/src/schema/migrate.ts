import { BackendDataError, silentLogger, type Logger } from '@baton/core';
import type pg from 'pg';
import { quoteSchema } from './identifiers.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

/** What a migration run did. */
export interface MigrationResult {
  schema: string;
  /** The version found (0: no Baton schema yet). */
  from: number;
  /** The version after the run (SCHEMA_VERSION). */
  to: number;
}

/** SQLSTATEs of a schema or table that does not exist yet. */
const MISSING = new Set(['3F000', '42P01']);

async function installedVersion(client: pg.ClientBase, s: string): Promise<number> {
  try {
    const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${s}.baton_migrations`);
    return rows[0]?.v ?? 0;
  } catch (error) {
    if (MISSING.has((error as { code?: string }).code ?? '')) return 0;
    throw error;
  }
}

function tooNew(schema: string, found: number): BackendDataError {
  return new BackendDataError(
    `Schema "${schema}" is at version ${found}, but this @baton/postgres-adapter knows versions up to ${SCHEMA_VERSION}; upgrade every process that uses it.`,
  );
}

/**
 * Brings `schema` to SCHEMA_VERSION on `client`: creates the schema and a `baton_migrations`
 * table, then applies each missing step, all in one transaction under a transaction-level
 * advisory lock keyed by the schema, so processes that start together apply each step once and
 * the others wait for it. A schema already current costs one query and takes no lock. Throws
 * BackendDataError when the schema is newer than this code; any SQL failure rolls everything back
 * and is rethrown.
 */
export async function migrateSchema(client: pg.ClientBase, schema: string, logger: Logger = silentLogger): Promise<MigrationResult> {
  const s = quoteSchema(schema);
  const found = await installedVersion(client, s);
  if (found > SCHEMA_VERSION) throw tooNew(schema, found);
  if (found === SCHEMA_VERSION) return { schema, from: found, to: found };
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('baton.migrate'), hashtext($1))`, [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.baton_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const current = await installedVersion(client, s);
    if (current > SCHEMA_VERSION) throw tooNew(schema, current);
    for (const step of MIGRATIONS) {
      if (step.version <= current) continue;
      await client.query(step.sql(s));
      await client.query(`INSERT INTO ${s}.baton_migrations (version, name) VALUES ($1, $2)`, [step.version, step.name]);
    }
    await client.query('COMMIT');
    if (current < SCHEMA_VERSION) logger.info('migrated the Baton schema', { schema, from: current, to: SCHEMA_VERSION });
    return { schema, from: current, to: SCHEMA_VERSION };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
