import { v1LocksRegistry } from './v1-locks-registry.js';
import { v2Queues } from './v2-queues.js';
import { v3Permits } from './v3-permits.js';
import { v4Outcomes } from './v4-outcomes.js';
import { v5Inspection } from './v5-inspection.js';
import { v6Limits } from './v6-limits.js';
import { v7LockOrder } from './v7-lock-order.js';

/** One step of the schema: applied once, in order, inside the migration's transaction. */
export interface Migration {
  /** 1, 2, …: the schema's version once this step is applied. */
  version: number;
  /** What the step adds, recorded in `baton_migrations`. */
  name: string;
  /** The SQL of the step for a quoted schema name. */
  sql(schema: string): string;
}

/** Every migration of the adapter, oldest first. Append only: a released step never changes. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'database clock, locks and registry', sql: v1LocksRegistry },
  { version: 2, name: 'queues', sql: v2Queues },
  { version: 3, name: 'semaphores and read/write locks', sql: v3Permits },
  { version: 4, name: 'results, progress, cancellation and queue events', sql: v4Outcomes },
  { version: 5, name: 'inspection, pause and dead-letter retention', sql: v5Inspection },
  { version: 6, name: 'queue limits', sql: v6Limits },
  { version: 7, name: 'one lock order for queue steps; freed slots heard from every handle', sql: v7LockOrder },
];

/** The schema version this code needs (the last migration's). */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
