import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@baton/core';

/** The schema Baton's tables live in unless another is given. */
export const DEFAULT_SCHEMA = 'baton';

// Lower case so that the name means the same quoted or not, and never pg_ (reserved by PostgreSQL).
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Checks a schema name: 1-63 characters of lower-case letters, digits and underscores, not
 * starting with a digit or `pg_`. Throws InvalidArgumentError naming `argument`.
 */
export function assertSchemaName(argument: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !SCHEMA_NAME.test(value) || value.startsWith('pg_')) {
    throw new InvalidArgumentError(
      argument,
      `must be 1-63 lower-case letters, digits or underscores, not starting with a digit or "pg_", got ${JSON.stringify(value)}`,
    );
  }
}

/** The schema name as a quoted SQL identifier (the name is checked, so quoting cannot be escaped). */
export function quoteSchema(schema: string): string {
  assertSchemaName('schema', schema);
  return `"${schema}"`;
}

/**
 * The NOTIFY channel of one queue (wake-ups), one queue's events, or one registry group. Channel names are limited to 63 bytes and
 * names to 200 characters, so the channel carries a hash of schema, kind and name.
 */
export function channelName(schema: string, kind: 'queue' | 'registry' | 'events', name: string): string {
  const digest = createHash('sha256').update(`${schema}\u0000${kind}\u0000${name}`).digest('hex').slice(0, 32);
  return `baton_${kind[0]}_${digest}`;
}
