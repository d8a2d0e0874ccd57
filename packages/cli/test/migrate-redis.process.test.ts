import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { writeFirstGenerationQueue } from '../../redis-adapter/test/fixtures/first-generation-queue.js';
import { baton, killStrays } from './run-baton.js';

const redisUrl = inject('redisUrl');

describe.skipIf(redisUrl === '')('baton migrate on Redis', { timeout: 60_000 }, () => {
  const clients: Redis[] = [];
  afterEach(async () => {
    killStrays();
    for (const client of clients.splice(0)) client.disconnect();
  });

  it('finds the queues a first-generation Baton wrote, lists them with --dry-run, upgrades each once, and the queue works again', async () => {
    const prefix = `cli_${randomBytes(4).toString('hex')}`;
    const raw = new Redis(redisUrl);
    clients.push(raw);
    await writeFirstGenerationQueue(raw, prefix, 'emails');
    await writeFirstGenerationQueue(raw, prefix, 'orders:s1');
    const url = ['--url', redisUrl, '--prefix', prefix];

    const refused = await baton(['enqueue', 'emails', '{}', '--id', 'new-1', ...url]);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(/^baton: Redis key ".*:ids" holds a set written by an earlier version of Baton .*run `baton migrate`/);

    const dry = await baton(['migrate', '--dry-run', ...url]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.trim().split('\n')).toEqual([
      'emails: would upgrade (6 waiting, 2 delayed, 3 active, 2 dead, 1 cancelled)',
      'orders:s1: would upgrade (6 waiting, 2 delayed, 3 active, 2 dead, 1 cancelled)',
      `2 queues under prefix "${prefix}" would be upgraded; nothing changed (run without --dry-run to upgrade)`,
    ]);
    expect(await raw.type(`${prefix}:{queue:emails}:ids`)).toBe('set');

    const done = await baton(['migrate', ...url]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout.trim().split('\n')).toEqual([
      'emails: upgraded (6 waiting, 2 delayed, 3 active, 2 dead, 1 cancelled)',
      'orders:s1: upgraded (6 waiting, 2 delayed, 3 active, 2 dead, 1 cancelled)',
      `upgraded 2 queues under prefix "${prefix}"`,
    ]);
    expect(await raw.type(`${prefix}:{queue:emails}:ids`)).toBe('hash');

    const again = await baton(['migrate', '--json', ...url]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ prefix, dryRun: false, queues: [] });
    const named = await baton(['migrate', 'emails', ...url]);
    expect(named.stdout.trim().split('\n')).toEqual(['emails: up to date', `no queue under prefix "${prefix}" needs an upgrade`]);

    const queued = await baton(['enqueue', 'emails', '{}', '--id', 'new-1', ...url]);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stdout.trim()).toBe('queued new-1');
    const dead = await baton(['tasks', 'emails', '--state', 'dead', '--json', ...url]);
    expect(dead.code, dead.stderr).toBe(0);
    expect((JSON.parse(dead.stdout) as { tasks: Array<{ id: string }> }).tasks.map((t) => t.id)).toEqual(['x2', 'x1']);
  });
});
