import { describe, expect, it } from 'vitest';
import type { Backend, Queue } from '../interfaces/index.js';
import { Scheduler } from '../scheduler/index.js';
import type { Harness } from './harness.js';

/** How many queues beside the busy one get a trickle of tasks. */
const TRICKLE_QUEUES = 8;
/**
 * Most tasks of the busy queue (concurrency HOT_CONCURRENCY) that may start between a trickle
 * task being enqueued (or falling due) and that task starting: a few lease round trips' worth.
 * A queue that starved would wait for thousands.
 */
const HOT_CONCURRENCY = 4;
const HOT_TASKS_BOUND = 40 * HOT_CONCURRENCY;

/**
 * A queue kept full for as long as the test runs: every task it runs enqueues the next one, and
 * it starts with twice its concurrency queued. Stops refilling at `cap` tasks, so that a process
 * whose event loop this queue monopolised (nothing else runs until it drains) fails the test
 * instead of hanging it.
 */
class BusyQueue {
  started = 0;
  running = 0;
  most = 0;
  private stopped = false;

  constructor(
    readonly queue: Queue<number>,
    readonly cap: number,
  ) {}

  /** True while the queue still refills itself: what the test's measurements must happen within. */
  get busy(): boolean {
    return !this.stopped && this.started < this.cap;
  }

  readonly handler = async (): Promise<void> => {
    this.started++;
    this.running++;
    this.most = Math.max(this.most, this.running);
    try {
      if (this.busy) await this.queue.enqueue(this.started);
    } finally {
      this.running--;
    }
  };

  async fill(): Promise<void> {
    await this.queue.enqueueMany(Array.from({ length: 2 * HOT_CONCURRENCY }, (_, i) => ({ payload: -i })));
  }

  stop(): void {
    this.stopped = true;
  }
}

/** Per queue: tasks running now, the most at once, and the tasks that started. */
class Tally {
  private readonly running = new Map<string, number>();
  readonly most = new Map<string, number>();
  readonly started = new Map<string, number>();

  enter(queue: string): void {
    const now = (this.running.get(queue) ?? 0) + 1;
    this.running.set(queue, now);
    this.most.set(queue, Math.max(this.most.get(queue) ?? 0, now));
    this.started.set(queue, (this.started.get(queue) ?? 0) + 1);
  }

  leave(queue: string): void {
    this.running.set(queue, (this.running.get(queue) ?? 1) - 1);
  }

  /** Tasks of all queues running now. */
  get total(): number {
    let sum = 0;
    for (const n of this.running.values()) sum += n;
    return sum;
  }
}

/**
 * Fairness across the queues of one Scheduler: a queue that always has work does not keep the
 * others from being served, whether their tasks are enqueued or fall due, and each queue's
 * `concurrency` holds while many queues are busy. Measured in tasks of the busy queue, not in time.
 */
export function fairnessConformance(h: Harness): void {
  describe('scheduler: fairness across queues', () => {
    const schedulers: Scheduler[] = [];

    async function schedulerOn(backend: Backend): Promise<Scheduler> {
      const scheduler = new Scheduler(backend, h.clock, undefined, { nodeId: `fair-${schedulers.length}` });
      schedulers.push(scheduler);
      return scheduler;
    }

    // Handlers still sleeping are aborted at once; on a ManualClock even that timer needs time to move.
    async function stopAll(): Promise<void> {
      let stopped = false;
      const stopping = Promise.all(schedulers.splice(0).map((s) => s.stop({ timeoutMs: 0 }))).finally(() => (stopped = true));
      await h.eventually(() => expect(stopped).toBe(true), 10 * h.unit);
      await stopping;
    }

    /** The busy queue and TRICKLE_QUEUES others at concurrency 1, on one running scheduler. */
    async function busyAndTrickles(name: string): Promise<{ hot: BusyQueue; trickles: Array<Queue<string>>; starts: Map<string, number>; tally: Tally }> {
      const backend = await h.backend();
      const scheduler = await schedulerOn(backend);
      // on a ManualClock everything runs without time passing, so a few thousand tasks are
      // quick; on a server the cap only bounds a run that went wrong
      const hot = new BusyQueue(backend.queue<number>(`${name}-hot`), h.manual ? 5_000 : 1_000_000);
      const tally = new Tally();
      const starts = new Map<string, number>();
      scheduler.handle<number>(hot.queue.name, hot.handler, { concurrency: HOT_CONCURRENCY });
      const trickles: Array<Queue<string>> = [];
      for (let i = 0; i < TRICKLE_QUEUES; i++) {
        const queue = backend.queue<string>(`${name}-trickle-${i}`);
        trickles.push(queue);
        scheduler.handle<string>(queue.name, async (task) => {
          tally.enter(queue.name);
          // the busy queue's tasks that had started when this one did
          starts.set(task.id, hot.started);
          await Promise.resolve();
          tally.leave(queue.name);
        });
      }
      await scheduler.start();
      await hot.fill();
      await h.eventually(() => expect(hot.started).toBeGreaterThan(4 * HOT_CONCURRENCY), 20 * h.unit);
      return { hot, trickles, starts, tally };
    }

    it('while one queue is kept full, a task enqueued on each of many other queues starts within a few of its tasks', async () => {
      const { hot, trickles, starts, tally } = await busyAndTrickles('fair-enqueued');
      try {
        for (let round = 0; round < 3; round++) {
          const enqueuedAt = new Map<string, number>();
          for (const queue of trickles) {
            const id = `${queue.name}-${round}`;
            enqueuedAt.set(id, hot.started);
            await queue.enqueue('tick', { id });
          }
          await h.eventually(() => expect([...enqueuedAt.keys()].filter((id) => !starts.has(id))).toEqual([]), 30 * h.unit);
          expect(hot.busy, 'the busy queue still refilling itself when the others were served').toBe(true);
          for (const [id, at] of enqueuedAt) {
            expect(starts.get(id)! - at, `busy-queue tasks started while ${id} waited`).toBeLessThanOrEqual(HOT_TASKS_BOUND);
          }
        }
      } finally {
        hot.stop();
        await stopAll();
      }
      expect(hot.most).toBeLessThanOrEqual(HOT_CONCURRENCY);
      for (const queue of trickles) expect(tally.most.get(queue.name), queue.name).toBe(1);
    });

    it('while one queue is kept full, delayed tasks of many other queues start when they fall due', async () => {
      const { hot, trickles, starts } = await busyAndTrickles('fair-delayed');
      try {
        for (let round = 0; round < 2; round++) {
          const ids: string[] = [];
          for (const queue of trickles) {
            const id = `${queue.name}-${round}`;
            ids.push(id);
            await queue.enqueue('later', { id, delayMs: 2 * h.unit });
          }
          expect(
            ids.filter((id) => starts.has(id)),
            'started before they were due',
          ).toEqual([]);
          // the due time comes: from here on the tasks are ready, and the busy queue's tasks are counted
          await h.advance(2 * h.unit);
          const dueAt = hot.started;
          await h.eventually(() => expect(ids.filter((id) => !starts.has(id))).toEqual([]), 30 * h.unit);
          expect(hot.busy, 'the busy queue still refilling itself when the others were served').toBe(true);
          for (const id of ids) expect(starts.get(id)! - dueAt, `busy-queue tasks started while ${id} was due`).toBeLessThanOrEqual(HOT_TASKS_BOUND);
        }
      } finally {
        hot.stop();
        await stopAll();
      }
      expect(hot.most).toBeLessThanOrEqual(HOT_CONCURRENCY);
    });

    it('many busy queues run side by side, each at its own `concurrency` and never above it', async () => {
      const backend = await h.backend();
      const scheduler = await schedulerOn(backend);
      const tally = new Tally();
      const concurrency = [1, 2, 3, 1, 2, 3];
      const sum = concurrency.reduce((a, b) => a + b, 0);
      let mostTotal = 0;
      const queues = concurrency.map((c, i) => {
        const queue = backend.queue<number>(`fair-concurrency-${i}`);
        scheduler.handle<number>(
          queue.name,
          async () => {
            tally.enter(queue.name);
            mostTotal = Math.max(mostTotal, tally.total);
            await h.clock.sleep(h.unit);
            tally.leave(queue.name);
          },
          { concurrency: c },
        );
        return queue;
      });
      // each queue has five rounds of work at its concurrency, all enqueued before the workers start
      for (const [i, queue] of queues.entries()) await queue.enqueueMany(Array.from({ length: 5 * concurrency[i]! }, (_, n) => ({ payload: n })));
      await scheduler.start();
      try {
        await h.eventually(() => {
          for (const [i, queue] of queues.entries()) expect(tally.started.get(queue.name) ?? 0, queue.name).toBe(5 * concurrency[i]!);
        }, 100 * h.unit);
      } finally {
        await stopAll();
      }
      for (const [i, queue] of queues.entries()) expect(tally.most.get(queue.name), queue.name).toBe(concurrency[i]);
      // every queue ran at its concurrency at one moment: none waited for another to finish
      expect(mostTotal).toBe(sum);
    });
  });
}
