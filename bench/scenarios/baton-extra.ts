import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Registration } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';
import { RedisBackend } from '@baton/redis-adapter';
import { Harness, main } from '../lib/harness.js';
import { spawnScript } from '../lib/spawn.js';
import { nowMs, quantile } from '../lib/stats.js';

const SETTINGS = [
  'memory: one `MemoryBackend`, batches of 1,000: `enqueueMany`, `dequeueMany(1000)`, `complete` each (all awaited together)',
  'registry: 1,000 nodes registered through 10 `RedisBackend`s (100 each, `ttlMs: 10_000`, heartbeats every 3.3 s), 200 sequential `list()` calls from an 11th backend',
  'multi-process: 20,000 jobs bulk-enqueued, then 2 worker processes, each a `Scheduler` at concurrency 50, timed from "go" to the last completion',
].join(' · ');

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

main(async () => {
  const h = new Harness('Baton', 'baton', SETTINGS);
  const { memoryTasks, nodes, jobs } = h.config.sizes;
  const only = process.argv.slice(2);
  const wants = (part: string): boolean => only.length === 0 || only.includes(part);

  if (wants('memory'))
    await h.repeat('memory pipeline', async (warmup) => {
      const n = warmup ? memoryTasks >> 2 : memoryTasks;
      const backend = new MemoryBackend();
      const queue = backend.queue<{ i: number }>('bench');
      const batch = Array.from({ length: 1_000 }, (_, i) => ({ payload: { i } }));
      const t0 = nowMs();
      for (let done = 0; done < n; done += batch.length) {
        await queue.enqueueMany(batch);
        const leases = await queue.dequeueMany(batch.length);
        await Promise.all(leases.map((lease) => queue.complete(lease)));
      }
      const ms = nowMs() - t0;
      await backend.close();
      return { memoryPipeline: (n / ms) * 1_000 };
    });

  if (wants('registry'))
    await h.repeat('registry list()', async (warmup) => {
      const owners = Array.from({ length: 10 }, () => new RedisBackend({ url: h.config.redisUrl }));
      const regs: Registration[] = [];
      const per = Math.ceil(nodes / owners.length);
      for (const [o, backend] of owners.entries()) {
        const registry = backend.registry('bench');
        const batch = await Promise.all(Array.from({ length: per }, (_, i) => registry.register({ id: `node-${o}-${i}`, meta: { o, i } }, { ttlMs: 10_000 })));
        regs.push(...batch);
      }
      const reader = new RedisBackend({ url: h.config.redisUrl });
      const registry = reader.registry('bench');
      const times: number[] = [];
      for (let i = 0; i < (warmup ? 50 : 200); i++) {
        const t0 = nowMs();
        const list = await registry.list();
        times.push(nowMs() - t0);
        if (list.length !== per * owners.length) throw new Error(`list() saw ${list.length} nodes, expected ${per * owners.length}`);
      }
      await Promise.all(regs.map((r) => r.deregister()));
      await Promise.all([...owners, reader].map((b) => b.close()));
      return { registryP50: quantile(times, 0.5), registryP99: quantile(times, 0.99) };
    });

  if (wants('multi'))
    await h.repeat('multi-process', async (warmup) => {
      const n = warmup ? jobs >> 2 : jobs;
      const name = `multi-${Date.now()}`;
      const producer = new RedisBackend({ url: h.config.redisUrl });
      const queue = producer.queue<{ i: number }>(name);
      for (let i = 0; i < n; i += 1_000) await queue.enqueueMany(Array.from({ length: Math.min(1_000, n - i) }, (_, k) => ({ payload: { i: i + k } })));
      const workers = [0, 1].map(() => spawnScript(here('./multi-worker.ts'), [h.config.redisUrl, name], {}));
      await Promise.all(workers.map((w) => once(w, (m) => m.ready === true)));
      let done = 0;
      let finish!: () => void;
      const all = new Promise<void>((resolve) => (finish = resolve));
      for (const w of workers)
        w.on('message', (m: { done?: number }) => {
          done += m.done ?? 0;
          if (done >= n) finish();
        });
      const t0 = nowMs();
      for (const w of workers) w.send({ type: 'go' });
      await all;
      const ms = nowMs() - t0;
      for (const w of workers) w.send({ type: 'stop' });
      await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
      await producer.close();
      return { multiProcess: (n / ms) * 1_000 };
    });

  await h.finish();
});

function once(child: ChildProcess, match: (m: Record<string, unknown>) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
    const onMessage = (m: Record<string, unknown>): void => {
      if (!match(m)) return;
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
  });
}
