import { silentLogger, SystemClock, type Scheduler } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';
import type { DemoCluster } from './cluster.js';
import type { DemoNodeSettings } from './messages.js';
import { createDemoNode, type DemoTask } from './node-runner.js';
import type { Tally } from './tally.js';

/**
 * Every node in this process: one MemoryBackend each over a shared MemoryStore (as processes
 * share one Redis), real time. Killing a node closes its backend abruptly: its handlers are
 * aborted, nothing is acknowledged, and its leases expire as a crashed process's would.
 */
export function memoryCluster(settings: (i: number) => DemoNodeSettings, count: number, tally: Tally): DemoCluster {
  const clock = new SystemClock();
  const store = new MemoryStore();
  const producer = new MemoryBackend({ clock, store, logger: silentLogger });
  const nodes = Array.from({ length: count }, (_, i) => {
    const s = settings(i);
    const backend = new MemoryBackend({ clock, store, logger: silentLogger });
    const scheduler: Scheduler = createDemoNode(backend, clock, s, (r) => tally.add(r));
    return { id: s.nodeId, backend, scheduler, alive: true };
  });
  let stopped: Promise<void> | undefined;
  return {
    nodeIds: nodes.map((n) => n.id),
    queue: producer.queue<DemoTask>(settings(0).queue),
    async start() {
      await Promise.all(nodes.map((n) => n.scheduler.start()));
      for (const n of nodes) tally.add({ type: 'ready', node: n.id, pid: process.pid });
    },
    async kill(node) {
      const n = nodes.find((x) => x.id === node)!;
      tally.killed(node);
      n.alive = false;
      await n.backend.close();
    },
    stopAll() {
      stopped ??= (async () => {
        await Promise.all(
          nodes
            .filter((n) => n.alive)
            .map(async (n) => {
              await n.scheduler.stop({ timeoutMs: 5_000 });
              await n.backend.close();
              tally.add({ type: 'stopped', node: n.id });
            }),
        );
      })();
      return stopped;
    },
    close: () => producer.close(),
  };
}
