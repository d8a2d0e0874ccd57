import { Scheduler, silentLogger, type Backend, type Clock } from '@baton/core';
import type { DemoNodeSettings, NodeReport } from './messages.js';

/** The demo's task payload: its index in the batch. */
export interface DemoTask {
  n: number;
}

/** One in 47 tasks fails its first attempt, to show retries (deterministic, so runs compare). */
export function failsFirstAttempt(n: number): boolean {
  return n % 47 === 0;
}

/**
 * Builds one demo node: a Scheduler that runs the demo queue with simulated work and ticks the
 * periodic "heartbeat-report" job, reporting everything that happens through `report`.
 */
export function createDemoNode(backend: Backend, clock: Clock, settings: DemoNodeSettings, report: (r: NodeReport) => void): Scheduler {
  const node = settings.nodeId;
  const scheduler = new Scheduler(backend, clock, silentLogger, {
    nodeId: node,
    group: settings.group,
    nodeTtlMs: 3_000,
    recoverStalledIntervalMs: 500,
    idleWaitMs: 500,
  });
  const queue = { visibilityTimeoutMs: settings.visibilityTimeoutMs, backoff: { baseMs: 100, maxMs: 400 }, retainFinishedMs: 600_000 };
  scheduler.handle<DemoTask>(
    settings.queue,
    async (task, ctx) => {
      const span = settings.workMaxMs - settings.workMinMs;
      await clock.sleep(settings.workMinMs + Math.floor(Math.random() * (span + 1)), ctx.signal);
      if (task.attempt === 1 && failsFirstAttempt(task.payload.n)) throw new Error(`simulated failure of task ${task.payload.n}`);
      report({ type: 'ran', node, id: task.id });
    },
    { concurrency: settings.concurrency, queue },
  );
  scheduler.every('demo-report', settings.tickMs, async ({ tick }) => {
    report({ type: 'tick', node, tick });
  });
  scheduler.on('completed', (task) => report({ type: 'done', node, id: task.id }));
  scheduler.on('retrying', (task) => report({ type: 'retry', node, id: task.id }));
  scheduler.on('failed', (task) => report({ type: 'failed', node, id: task.id }));
  scheduler.on('lost', (task) => report({ type: 'lost', node, id: task.id }));
  scheduler.on('stalled', (count) => report({ type: 'stalled', node, count }));
  // Background errors (a killed peer, a closed backend) are expected in the demo; the totals tell the story.
  scheduler.on('error', () => undefined);
  return scheduler;
}
