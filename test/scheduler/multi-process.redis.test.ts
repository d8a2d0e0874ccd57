import { describe, expect, inject, it } from 'vitest';
import { silentLogger } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import { eventually } from '../setup/eventually.js';
import { exited, killFixtures, startFixture, type Fixture } from './processes.js';
import { uniquePrefix } from './redis-env.js';

const url = inject('redisUrl');

type WorkerMessage = { node: string; type: 'ready' | 'start' | 'done' | 'stopped'; id?: string };

describe.skipIf(url === '')('Scheduler across processes on Redis', () => {
  it('4 node processes, 2,000 tasks, one SIGKILLed mid-run: every task finishes and only its in-flight tasks run twice', async () => {
    const prefix = uniquePrefix('mp');
    const producer = new RedisBackend({ url, prefix, logger: silentLogger });
    const queue = producer.queue('work', { visibilityTimeoutMs: 1_000 });
    const ids = Array.from({ length: 2_000 }, (_, i) => `task-${i}`);
    const nodes: Array<Fixture<WorkerMessage>> = [];
    try {
      for (let i = 0; i < 4; i++) nodes.push(startFixture<WorkerMessage>('worker-node', [url, prefix, `node-${i}`, 'work']));
      await eventually(() => nodes.every((n) => n.messages.some((m) => m.type === 'ready')), { what: 'the nodes to start', timeoutMs: 30_000 });
      for (let i = 0; i < ids.length; i += 500) await queue.enqueueMany(ids.slice(i, i + 500).map((id) => ({ id, payload: id })));
      const doneCount = (): number => new Set(nodes.flatMap((n) => n.messages.filter((m) => m.type === 'done').map((m) => m.id))).size;
      await eventually(() => doneCount() >= 600, { what: '30 % of the tasks', timeoutMs: 20_000 });
      const victim = nodes[3]!;
      victim.child.kill('SIGKILL');
      await exited(victim.child);
      const started = victim.messages.filter((m) => m.type === 'start').map((m) => m.id!);
      const acked = new Set(victim.messages.filter((m) => m.type === 'done').map((m) => m.id!));
      const inFlightAtKill = new Set(started.filter((id) => !acked.has(id)));
      expect(inFlightAtKill.size).toBeGreaterThan(0); // the kill did interrupt work

      // Every task ends in the finished set: the queue, not the reports, is the judge.
      await eventually(() => doneCount() >= ids.length - inFlightAtKill.size, { what: 'the survivors to finish', timeoutMs: 20_000 });
      let unfinished: string[] = ids;
      await eventually(
        async () => {
          const flags = await Promise.all(unfinished.map((id) => queue.isFinished(id)));
          unfinished = unfinished.filter((_, i) => !flags[i]);
          if (unfinished.length > 0) throw new Error(`${unfinished.length} tasks not finished, e.g. ${unfinished.slice(0, 5).join(', ')}`);
        },
        { what: 'every task to be in the finished set', timeoutMs: 15_000, intervalMs: 200 },
      );
      expect(unfinished).toEqual([]); // tasks lost: 0
      expect(await queue.stats()).toEqual({ waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 });

      const starts = new Map<string, number>();
      for (const n of nodes) for (const m of n.messages) if (m.type === 'start') starts.set(m.id!, (starts.get(m.id!) ?? 0) + 1);
      const twice = [...starts].filter(([, count]) => count > 1).map(([id]) => id);
      // Only tasks in flight on the killed node at the kill may run twice, and they run at most twice.
      expect(twice.filter((id) => !inFlightAtKill.has(id))).toEqual([]);
      expect(Math.max(...starts.values())).toBeLessThanOrEqual(2);
      // Each task was acknowledged exactly once (complete refuses a lost lease).
      const acks = nodes.flatMap((n) => n.messages.filter((m) => m.type === 'done').map((m) => m.id!));
      expect(acks.length).toBe(new Set(acks).size);
      console.log(`multi-process: in flight at kill ${inFlightAtKill.size}, run twice ${twice.length}, acks ${acks.length}/${ids.length} reported`);

      for (const n of nodes.slice(0, 3)) n.child.send({ type: 'stop' });
      await Promise.all(nodes.map((n) => exited(n.child)));
      expect(nodes.slice(0, 3).every((n) => n.messages.some((m) => m.type === 'stopped'))).toBe(true);
    } finally {
      await killFixtures();
      await producer.close();
    }
  }, 60_000);
});
