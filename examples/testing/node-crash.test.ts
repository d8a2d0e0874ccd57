import { expect, it } from 'vitest';
import { testCluster } from '@baton/memory-adapter/testing';

it('the task of a node that crashed comes back to another node after its lease', async () => {
  const done: string[] = [];
  let hung = false;
  const cluster = testCluster({
    nodes: 2,
    setup: (node) =>
      node.scheduler.handle(
        'thumbnails',
        async (task) => {
          if (node.id === 'node-1') {
            hung = true;
            return new Promise(() => undefined); // never finishes: its node is about to die
          }
          done.push(`${String(task.payload)} on ${node.id}, attempt ${task.attempt}`);
        },
        { queue: { visibilityTimeoutMs: 30_000 } },
      ),
  });
  await cluster.node('node-1').scheduler.start(); // node-1 alone gets the task first
  await cluster.queue('thumbnails').enqueue('cat.png');
  await cluster.advanceUntil(() => hung, { what: 'node-1 to take the task' });
  await cluster.start();

  await cluster.crash(cluster.node('node-1')); // as SIGKILL: nothing handed back, not deregistered
  await cluster.advanceUntil(() => done.length === 1, { maxMs: 60_000, what: 'the task to run again' });

  expect(done).toEqual(['cat.png on node-2, attempt 2']);
  await cluster.close();
});
