// Fault family 5: a long run through one node, memory bounded. 200,000 tasks (50,000 under
// `npm test`; BATON_FAULT_FULL=1 runs 200,000) through one Scheduler on the memory backend with a
// ManualClock (no real waiting). The finished-id retention keeps the heap flat (without it the
// heap grows ~2.7 MB per 30,000 ids here, so the 1.5 MB bound would fail), and the
// process has the same active handles and listeners after the node stopped as before it started.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManualClock, Scheduler, silentLogger } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';
import { describe, expect, it } from 'vitest';
import { recordFigures } from './support/results.js';
import { scaled } from './support/scale.js';

const TASKS = scaled(50_000, 200_000);
const BATCH = 1_000;
// Long ids (120 characters) make every retained finished id weigh ~0.3 kB, so a retention that
// did not prune would show as tens of MB instead of hiding in GC noise.
const PAD = 'x'.repeat(110);
const RETAIN_MS = 10_000;
/** Stated bound: heap growth after GC between the warm-up point and the end of the run. */
const HEAP_BOUND_MB = 1.5;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGcMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1_048_576;
}

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  for (const name of process.eventNames()) counts[`listener:${String(name)}`] = process.listenerCount(name);
  return counts;
}

describe('long run', () => {
  it(`${TASKS} tasks through one node: heap after GC stays within ${HEAP_BOUND_MB} MB of the warm-up, no handle or listener leaks`, async () => {
    const before = resources();
    const clock = new ManualClock();
    const backend = new MemoryBackend({ clock, logger: silentLogger });
    const scheduler = new Scheduler(backend, clock, silentLogger, { idleWaitMs: 1_000, recoverStalledIntervalMs: 5_000, nodeTtlMs: 10_000 });
    let done = 0;
    scheduler.handle<number>(
      'long',
      async () => {
        done++;
      },
      { concurrency: 32, queue: { retainFinishedMs: RETAIN_MS } },
    );
    await scheduler.start();
    const queue = backend.queue<number>('long', { retainFinishedMs: RETAIN_MS });
    const warmUpAt = Math.min(20_000, TASKS / 2);
    let warmHeap = 0;
    let peakHeap = 0;
    const started = Date.now();
    for (let i = 0; i < TASKS; i += BATCH) {
      await queue.enqueueMany(Array.from({ length: BATCH }, (_, j) => ({ payload: i + j, id: `task-${i + j}-${PAD}` })));
      // one second of clock time per batch, so ids older than RETAIN_MS are pruned as the run goes
      while (done < i + BATCH) await clock.advance(100);
      await clock.advance(1_000 - (clock.now() % 1_000 || 1_000) + 1_000);
      if (i + BATCH === warmUpAt) warmHeap = heapAfterGcMb();
      if ((i / BATCH) % 25 === 0) peakHeap = Math.max(peakHeap, heapAfterGcMb());
    }
    const runMs = Date.now() - started;
    const endHeap = heapAfterGcMb();
    peakHeap = Math.max(peakHeap, endHeap);
    const firstRetained = await queue.isFinished(`task-0-${PAD}`);
    const lastRetained = await queue.isFinished(`task-${TASKS - 1}-${PAD}`);
    const stats = await queue.stats();
    const stopping = scheduler.stop();
    await clock.advance(10_000);
    await stopping;
    await backend.close();
    await clock.advance(60_000);
    const after = resources();
    recordFigures('long-run', {
      tasks: TASKS,
      completed: done,
      retainFinishedMs: RETAIN_MS,
      heapWarmMb: Math.round(warmHeap * 10) / 10,
      heapEndMb: Math.round(endHeap * 10) / 10,
      heapPeakMb: Math.round(peakHeap * 10) / 10,
      heapGrowthMb: Math.round((endHeap - warmHeap) * 10) / 10,
      heapBoundMb: HEAP_BOUND_MB,
      pendingClockTimers: clock.pendingTimers(),
      handlesBefore: before,
      handlesAfter: after,
      tasksPerSec: Math.round(TASKS / (runMs / 1_000)),
    });
    expect(done).toBe(TASKS);
    expect(stats).toEqual({ waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 });
    expect(firstRetained).toBe(false);
    expect(lastRetained).toBe(true);
    expect(endHeap - warmHeap).toBeLessThan(HEAP_BOUND_MB);
    expect(clock.pendingTimers()).toBe(0);
    // vitest's own timers come and go; nothing of ours may be left over
    for (const [kind, n] of Object.entries(after)) expect(n, kind).toBeLessThanOrEqual(before[kind] ?? 0);
  }, 120_000);
});
