import { setTimeout as sleep } from 'node:timers/promises';
import cliProgress from 'cli-progress';
import type { DemoArgs } from './args.js';
import type { DemoCluster } from './cluster.js';
import { formatSummary, summarize, type DemoSummary } from './summary.js';
import type { Tally } from './tally.js';

/** Progress fraction at which --kill-one crashes a node. */
const KILL_AT = 0.3;
/** With no progress for this long, the coordinator asks the queue which tasks are finished. */
const STALL_CHECK_MS = 3_000;

/** Ids the queue does not report finished, asked in batches. */
async function unfinished(cluster: DemoCluster, ids: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const batch = ids.slice(i, i + 500);
    const done = await Promise.all(batch.map((id) => cluster.queue.isFinished(id)));
    batch.forEach((id, j) => {
      if (!done[j]) missing.push(id);
    });
  }
  return missing;
}

/**
 * Runs the scenario on `cluster` (task ids are `<run>-task-<n>`): start the nodes, enqueue the tasks while they work, optionally
 * crash one node at 30 %, wait until every task is finished (or nothing moves for `giveUpMs`),
 * stop the nodes and print the table. Returns the summary.
 */
export async function runScenario(args: DemoArgs, cluster: DemoCluster, tally: Tally, run: string, giveUpMs: number): Promise<DemoSummary> {
  // Ids unique to this run: a finished id is remembered for a while and would not run again.
  const ids = Array.from({ length: args.tasks }, (_, n) => `${run}-task-${n}`);
  const bar = new cliProgress.SingleBar(
    { format: 'tasks {bar} {percentage}% | {value}/{total} finished | ticks {ticks} | {note}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  console.log(
    `Baton demo: ${args.nodes} node(s) on ${args.backend}, ${args.tasks} tasks, concurrency ${args.concurrency} per node${args.killOne ? ', one node will be killed' : ''}`,
  );
  try {
    await cluster.start();
    const started = Date.now();
    bar.start(args.tasks, 0, { ticks: 0, note: 'enqueueing' });
    for (let i = 0; i < ids.length; i += 1_000) {
      await cluster.queue.enqueueMany(ids.slice(i, i + 1_000).map((id, j) => ({ id, payload: { n: i + j } })));
    }
    let note = 'running';
    let lastProgress = Date.now();
    let lastCount = 0;
    let killed = false;
    while (tally.finished.size < args.tasks) {
      await sleep(100);
      if (args.killOne && !killed && tally.finished.size >= args.tasks * KILL_AT) {
        killed = true;
        const victim = cluster.nodeIds[cluster.nodeIds.length - 1]!;
        await cluster.kill(victim);
        note = `killed ${victim}; its tasks come back after their lease`;
      }
      if (tally.finished.size !== lastCount) {
        lastCount = tally.finished.size;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > STALL_CHECK_MS) {
        // An ack whose report died with its node: the queue is the source of truth.
        const pending = ids.filter((id) => !tally.finished.has(id));
        const missing = new Set(await unfinished(cluster, pending));
        for (const id of pending) if (!missing.has(id)) tally.finished.add(id);
        if (Date.now() - lastProgress > giveUpMs) break;
      }
      bar.update(tally.finished.size, { ticks: tally.ticks.size, note });
    }
    const finishedAt = Date.now();
    bar.update(tally.finished.size, { ticks: tally.ticks.size, note: 'stopping nodes' });
    bar.stop();
    await cluster.stopAll();
    const lost = await unfinished(
      cluster,
      ids.filter((id) => !tally.finished.has(id)),
    );
    const summary = summarize(tally, args.tasks, lost, finishedAt - started);
    console.log(formatSummary(tally, summary));
    return summary;
  } finally {
    bar.stop();
    await cluster.stopAll();
    await cluster.close();
  }
}
