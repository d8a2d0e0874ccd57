import { randomBytes } from 'node:crypto';
import { isBatonError } from '@baton/core';
import { PostgresBackend } from '@baton/postgres-adapter';
import { RedisBackend } from '@baton/redis-adapter';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../test/setup/redis-server.js';
import { baton, collect, killStrays, lines, startBaton, waitForOutput } from './run-baton.js';

const redisUrl = inject('redisUrl');
const postgresUrl = inject('postgresUrl');

/** A key prefix (or schema) of its own per test, so tests never see each other's queues. */
function namespace(): string {
  return `cli_${randomBytes(4).toString('hex')}`;
}

/** Whether the Redis backend delivers queue events (asked of the backend itself, not of the CLI). */
async function hasEvents(prefix: string): Promise<boolean> {
  const backend = new RedisBackend({ url: redisUrl, prefix });
  try {
    const unsubscribe = backend.queue('probe').watch(() => undefined);
    await unsubscribe.ready;
    unsubscribe();
    return true;
  } catch (error) {
    if (isBatonError(error, 'NOT_SUPPORTED')) return false;
    throw error;
  } finally {
    await backend.close();
  }
}

describe('baton against servers', { timeout: 60_000 }, () => {
  afterEach(() => killStrays());

  it('an unreachable Redis or PostgreSQL gets one line and exit code 3', async () => {
    const port = await freePort(); // nothing listens on it
    const [redis, postgres] = await Promise.all([
      baton(['stats', 'emails', '--url', `redis://127.0.0.1:${port}`]),
      baton(['nodes', '--url', `postgres://postgres@127.0.0.1:${port}/postgres`]),
    ]);
    expect(redis.code, redis.stderr).toBe(3);
    expect(lines(redis.stderr)).toHaveLength(1);
    expect(redis.stderr).toMatch(new RegExp(`^baton: Redis at redis://127\\.0\\.0\\.1:${port} cannot be used: .*ECONNREFUSED`));
    expect(postgres.code, postgres.stderr).toBe(3);
    expect(lines(postgres.stderr)).toHaveLength(1);
    expect(postgres.stderr).toMatch(/^baton: PostgreSQL at .*ECONNREFUSED/);
  });

  it.skipIf(redisUrl === '')('a task enqueued by one baton process is counted by the next on Redis', async () => {
    const url = ['--url', redisUrl, '--prefix', namespace()];
    const queued = await baton(['enqueue', 'emails', '{"to":"ada@example.com"}', '--id', 't1', ...url]);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stdout.trim()).toBe('queued t1');
    const again = await baton(['enqueue', 'emails', '{"to":"ada@example.com"}', '--id', 't1', ...url]);
    expect(again.stdout.trim()).toBe('duplicate t1');
    const stats = await baton(['stats', 'emails', '--json', ...url]);
    expect(stats.code, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ queue: 'emails', waiting: 1, active: 0, delayed: 0, dead: 0 });
  });

  it.skipIf(redisUrl === '')('nodes lists the nodes a process registered on Redis', async () => {
    const prefix = namespace();
    const backend = new RedisBackend({ url: redisUrl, prefix });
    try {
      const registration = await backend.registry('workers').register({ id: 'worker-7', meta: { host: 'box-7' } });
      const [text, json] = await Promise.all([
        baton(['nodes', 'workers', '--url', redisUrl, '--prefix', prefix]),
        baton(['nodes', 'workers', '--json', '--url', redisUrl, '--prefix', prefix]),
      ]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^worker-7\s+\S+ ago\s+\S+ ago\s+host=box-7$/m);
      expect(JSON.parse(json.stdout)).toMatchObject({ group: 'workers', nodes: [{ id: 'worker-7', meta: { host: 'box-7' } }] });
      await registration.deregister();
      const empty = await baton(['nodes', 'workers', '--url', redisUrl, '--prefix', prefix]);
      expect(empty.stdout.trim()).toBe('no live nodes in group "workers"');
    } finally {
      await backend.close();
    }
  });

  it.skipIf(redisUrl === '')('on Redis, queues, tasks and task show what another process did; retry, pause and resume act on it', async () => {
    const prefix = namespace();
    const url = ['--url', redisUrl, '--prefix', prefix];
    expect((await baton(['enqueue', 'emails', '{}', '--id', 'listed', ...url])).code).toBe(0);
    const backend = new RedisBackend({ url: redisUrl, prefix });
    try {
      const q = backend.queue('emails', { maxAttempts: 1 });
      await q.enqueue({ to: 'ada' }, { id: 'dies' });
      // 'listed' is leased first; it fails with the rest of the seeding and dies too
      for (const lease of await q.dequeueMany(2)) await q.fail(lease, new Error(`SMTP 550 for ${lease.id}`));
      await q.enqueue({}, { id: 'waits' });
    } finally {
      await backend.close();
    }
    const queues = await baton(['queues', '--json', ...url]);
    const tasks = await baton(['tasks', 'emails', '--state', 'dead', '--json', ...url]);
    const task = await baton(['task', 'emails', 'dies', '--json', ...url]);
    expect(queues.code, queues.stderr).toBe(0);
    expect(JSON.parse(queues.stdout)).toEqual([expect.objectContaining({ queue: 'emails', waiting: 1, dead: 2, paused: false })]);
    expect(tasks.code, tasks.stderr).toBe(0);
    expect(JSON.parse(tasks.stdout)).toMatchObject({ tasks: [{ state: 'dead' }, { state: 'dead' }], cursor: null });
    expect(task.code, task.stderr).toBe(0);
    expect(JSON.parse(task.stdout)).toMatchObject({ id: 'dies', state: 'dead', attempt: 1, lastError: 'Error: SMTP 550 for dies' });
    const retry = await baton(['retry', 'emails', 'dies', 'waits', ...url]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout.trim()).toBe('redriven 1 of 2 (the others are not dead letters)');
    expect((await baton(['pause', 'emails', ...url])).stdout.trim()).toBe('paused emails');
    const paused = await baton(['queues', '--json', ...url]);
    expect(JSON.parse(paused.stdout)).toEqual([expect.objectContaining({ queue: 'emails', waiting: 2, dead: 1, paused: true })]);
    expect((await baton(['resume', 'emails', ...url])).stdout.trim()).toBe('resumed emails');
    const unknown = await baton(['task', 'emails', 'never', ...url]);
    expect(unknown.code, unknown.stderr).toBe(1);
  });

  it.skipIf(redisUrl === '')('watch on Redis prints what another process enqueues and stops on SIGINT, or says events are missing', async () => {
    const prefix = namespace();
    const url = ['--url', redisUrl, '--prefix', prefix];
    if (!(await hasEvents(prefix))) {
      // Until the Redis store has the `events` capability: one line naming it, exit code 4.
      const r = await baton(['watch', 'emails', ...url]);
      expect(r.code, r.stderr).toBe(4);
      expect(lines(r.stderr)).toEqual([expect.stringMatching(/^baton: queue\.watch is not supported by this backend \(it lacks the "events" capability\)/)]);
      return;
    }
    const watcher = startBaton(['watch', 'emails', ...url]);
    const done = collect(watcher, 30_000);
    // A queue is watched before its first task: not refused as unknown, but said to be.
    await waitForOutput(watcher.stderr!, /watching queue "emails" on redis[^\n]*\nqueue "emails" is not known yet/);
    const queued = await baton(['enqueue', 'emails', '{}', '--id', 'seen-by-watch', ...url]);
    expect(queued.code, queued.stderr).toBe(0);
    await waitForOutput(watcher.stdout!, /enqueued {2}seen-by-watch/);
    watcher.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
  });

  it.skipIf(postgresUrl === '')('watch on PostgreSQL prints, one JSON object a line, what another process enqueues', async () => {
    const url = ['--url', postgresUrl, '--prefix', namespace()];
    expect((await baton(['migrate', ...url])).code).toBe(0);
    const watcher = startBaton(['watch', 'emails', '--json', ...url]);
    const done = collect(watcher, 30_000);
    const ready = await Promise.race([waitForOutput(watcher.stderr!, /watching queue "emails" on postgres/).then(() => true), done.then(() => false)]);
    if (!ready) {
      // A PostgreSQL store without the `events` capability: one line naming it, exit code 4.
      const r = await done;
      expect(r.code, r.stderr).toBe(4);
      expect(lines(r.stderr)).toEqual([expect.stringMatching(/lacks the "events" capability/)]);
      return;
    }
    expect((await baton(['enqueue', 'emails', '{"n":1}', '--id', 'pg-event', ...url])).code).toBe(0);
    await waitForOutput(watcher.stdout!, /"ids":\["pg-event"\]/);
    watcher.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout).map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ type: 'enqueued', queue: 'emails', ids: ['pg-event'] })]);
  });

  it.skipIf(postgresUrl === '')('on PostgreSQL, commands refuse a schema that was never migrated until baton migrate ran', async () => {
    const url = ['--url', postgresUrl, '--prefix', namespace()];
    const before = await baton(['stats', 'emails', ...url]);
    expect(before.code, before.stderr).toBe(3);
    expect(lines(before.stderr)).toHaveLength(1);
    expect(before.stderr).toMatch(/^baton: Schema "cli_\w+" is at version 0, this code needs \d+; run migrate\(\) \(or `baton migrate`\)/);
    const migrated = await baton(['migrate', ...url]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/^schema "cli_\w+" migrated from version 0 to \d+$/m);
    const queued = await baton(['enqueue', 'emails', '{"n":1}', ...url]);
    expect(queued.code, queued.stderr).toBe(0);
    const after = await baton(['stats', 'emails', '--json', ...url]);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ waiting: 1 });
  });

  it.skipIf(postgresUrl === '')(
    'on PostgreSQL the inspection commands list, show, pause, redrive and purge what another process holds',
    { timeout: 180_000 },
    async () => {
      const prefix = namespace();
      const url = ['--url', postgresUrl, '--prefix', prefix];
      expect((await baton(['migrate', ...url])).code).toBe(0);
      // another process: a dead letter, a waiting task and a held lock
      const backend = new PostgresBackend({ connectionString: postgresUrl, schema: prefix });
      try {
        const q = backend.queue('emails', { maxAttempts: 1 });
        await q.enqueue({ to: 'ada@example.com' }, { id: 'dies' });
        await q.fail((await q.dequeue({ holder: 'node-7' }))!, 'mailbox full');
        await q.enqueue({ to: 'alan@example.com' }, { id: 'waits' });
        const lock = await backend.locks().acquire('nightly-report', { ttlMs: 60_000 });
        // four processes at once on a 2-core machine: more time than the 30 s a process gets by default
        const slow = { timeoutMs: 120_000 };
        const [queues, dead, task, locks] = await Promise.all([
          baton(['queues', '--json', ...url], slow),
          baton(['tasks', 'emails', '--state', 'dead', '--json', ...url], slow),
          baton(['task', 'emails', 'dies', '--json', ...url], slow),
          baton(['locks', 'nightly-report', '--json', ...url], slow),
        ]);
        for (const r of [queues, dead, task, locks]) expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(queues.stdout)).toEqual([expect.objectContaining({ queue: 'emails', waiting: 1, dead: 1, paused: false })]);
        expect(JSON.parse(dead.stdout)).toMatchObject({ tasks: [{ id: 'dies', state: 'dead', lastError: 'mailbox full' }], cursor: null });
        expect(JSON.parse(task.stdout)).toMatchObject({ id: 'dies', state: 'dead', payload: { to: 'ada@example.com' }, attempt: 1 });
        expect(JSON.parse(locks.stdout)).toEqual({
          resource: 'nightly-report',
          holder: { fence: lock.fence, expiresInMs: expect.any(Number) },
          fence: lock.fence,
          waiters: 0,
        });
        const paused = await baton(['pause', 'emails', ...url]);
        expect(paused.stdout.trim(), paused.stderr).toBe('paused emails');
        expect(await q.isPaused()).toBe(true);
        expect(await q.dequeue()).toBeNull();
        await q.resume();
        const retried = await baton(['retry', 'emails', 'dies', ...url]);
        expect(retried.code, retried.stderr).toBe(0);
        expect(await q.stats()).toMatchObject({ waiting: 2, dead: 0 });
        const purged = await baton(['purge', 'emails', '--state', 'waiting', '--yes', ...url]);
        expect(purged.code, purged.stderr).toBe(0);
        expect(await q.stats()).toMatchObject({ waiting: 0, active: 0, dead: 0 });
        await lock.release();
      } finally {
        await backend.close();
      }
    },
  );
});
