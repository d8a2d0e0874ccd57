import { describe, inject, it } from 'vitest';
import { runBackendConformance } from '@baton/core/testing';
import { PostgresBackend } from '@baton/postgres-adapter';

const postgresUrl = inject('postgresUrl');

if (postgresUrl === '') {
  describe.skip('backend conformance: postgres — SKIPPED: no usable PostgreSQL (CI=true makes this a failure)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  // Each test's namespace is a schema of its own in the run's database, migrated by its first backend.
  runBackendConformance('postgres', ({ clock, namespace }) => new PostgresBackend({ connectionString: postgresUrl, schema: namespace, clock, max: 4 }), {
    time: 'real',
  });
}
