import { afterEach, describe, expect, it } from 'vitest';
import { BackendDataError, InvalidArgumentError } from '@baton/core';
import { migrate, PostgresBackend, SCHEMA_VERSION } from '../src/index.js';
import { freshSchema, PgTestBed, postgresUrl } from './support.js';

describe.skipIf(postgresUrl === '')('postgres adapter: schema and migrations', () => {
  let bed: PgTestBed;
  afterEach(async () => {
    await bed.close();
  });

  it('backends that start together on a new schema apply each migration once', async () => {
    bed = new PgTestBed(freshSchema('together'));
    const backends = Array.from({ length: 6 }, () => bed.backend());
    await Promise.all(backends.map((b) => b.ready()));
    const sql = await bed.sql();
    const { rows } = await sql.query<{ version: number }>(`SELECT version FROM "${bed.schema}".baton_migrations ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    expect(await backends[5]!.locks().tryAcquire('works')).not.toBeNull();
  });

  it('migrate() is idempotent and reports the versions before and after', async () => {
    bed = new PgTestBed(freshSchema('cli'));
    expect(await migrate({ connectionString: postgresUrl, schema: bed.schema })).toEqual({ schema: bed.schema, from: 0, to: SCHEMA_VERSION });
    expect(await migrate({ connectionString: postgresUrl, schema: bed.schema })).toEqual({ schema: bed.schema, from: SCHEMA_VERSION, to: SCHEMA_VERSION });
  });

  it('with migrate: false a backend refuses a schema that was not migrated, and works once it is', async () => {
    bed = new PgTestBed(freshSchema('nomigrate'));
    const strict = bed.backend({ migrate: false });
    const error = await strict
      .locks()
      .tryAcquire('r')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendDataError);
    expect((error as Error).message).toContain('migrate');
    await migrate({ connectionString: postgresUrl, schema: bed.schema });
    expect(await strict.locks().tryAcquire('r')).not.toBeNull();
  });

  it('a schema newer than the code is refused with BackendDataError, and nothing is changed', async () => {
    bed = new PgTestBed(freshSchema('newer'));
    await bed.backend().ready();
    const sql = await bed.sql();
    await sql.query(`INSERT INTO "${bed.schema}".baton_migrations (version, name) VALUES ($1, 'from the future')`, [SCHEMA_VERSION + 1]);
    const error = await bed
      .backend()
      .ready()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendDataError);
    expect((error as Error).message).toMatch(/version/);
    await expect(migrate({ connectionString: postgresUrl, schema: bed.schema })).rejects.toBeInstanceOf(BackendDataError);
  });

  it('schema names are checked before anything is sent', () => {
    for (const schema of ['', 'Upper', 'pg_catalog', '1abc', 'a-b', 'x'.repeat(64), 'a"; drop schema public; --']) {
      expect(() => new PostgresBackend({ connectionString: postgresUrl, schema }), schema).toThrow(InvalidArgumentError);
    }
  });

  it('tables whose loss after a crash would break a guarantee are logged; the rest are unlogged', async () => {
    bed = new PgTestBed(freshSchema('logged'));
    await bed.backend().ready();
    const sql = await bed.sql();
    const { rows } = await sql.query<{ relname: string; relpersistence: string }>(
      `SELECT c.relname, c.relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [bed.schema],
    );
    const persistence = Object.fromEntries(rows.map((r) => [r.relname, r.relpersistence]));
    expect(persistence).toEqual({
      baton_migrations: 'p',
      locks: 'p',
      lock_waiters: 'u',
      nodes: 'u',
      tasks: 'p',
      queue_waiters: 'u',
      queue_watchers: 'u',
      permit_resources: 'p',
      permit_grants: 'p',
      permit_waiters: 'u',
    });
  });
});
