import { afterEach, describe, expect, it } from 'vitest';
import { BackendDataError, InvalidArgumentError } from '@baton/core';
import { migrate, PostgresBackend, SCHEMA_VERSION } from '../src/index.js';
import { MIGRATIONS } from '../src/schema/migrations.js';
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
      queues: 'p',
      queue_limits: 'p',
      queue_waiters: 'u',
      queue_watchers: 'u',
      permit_resources: 'p',
      permit_grants: 'p',
      permit_waiters: 'u',
    });
  });

  it('version 5 lists the queues that held tasks before it, and their finished ids read as finished', async () => {
    bed = new PgTestBed(freshSchema('v4to5'));
    const sql = await bed.sql();
    const s = `"${bed.schema}"`;
    // a schema left at version 4 by an older release, with a waiting task and a finished id
    await sql.query(`CREATE SCHEMA ${s}`);
    await sql.query(`CREATE TABLE ${s}.baton_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const step of MIGRATIONS.filter((m) => m.version <= 4)) {
      await sql.query(step.sql(s));
      await sql.query(`INSERT INTO ${s}.baton_migrations (version, name) VALUES ($1, $2)`, [step.version, step.name]);
    }
    await sql.query(`INSERT INTO ${s}.tasks (queue, id, state, seq, enqueued_at, payload, expires_at, result)
      VALUES ('old', 'w', 0, 1, 1, '"x"', NULL, NULL), ('old', 'f', 3, 2, 1, '', ${s}.now_ms() + 60000, '7')`);
    const backend = bed.backend();
    expect(await backend.queues()).toEqual(['old']);
    const q = backend.queue('old');
    expect(await q.get('w')).toMatchObject({ state: 'waiting', payload: 'x' });
    expect(await q.get('f')).toMatchObject({ state: 'finished', result: 7, endedAt: expect.any(Number) });
    expect((await q.list('finished')).tasks.map((t) => t.id)).toEqual(['f']);
    expect((await q.dequeue({ holder: 'n1' }))?.id).toBe('w');
  });
});
