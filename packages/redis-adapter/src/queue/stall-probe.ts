import type { BackendContext } from '../backend-context.js';
import { findStalledQueues } from './queue-scripts.js';

/** Most queues one findStalledQueues call checks. */
const PROBE_CHUNK = 1_000;

interface Asking {
  active: string;
  resolve: (mayHave: boolean) => void;
}

/**
 * Answers "may this queue hold an expired lease?" for the recoveries of many queues with one call:
 * the questions asked in one turn of the event loop (a Scheduler starts the recoveries of its
 * queues together) go to Redis as one findStalledQueues call on one server, so a process that
 * handles a thousand idle queues pays one call per recovery round instead of a thousand. A lone
 * question, a Cluster (whose queues live on many slots) and a probe that failed answer "maybe",
 * and the queue's own recovery call decides.
 */
export class StallProbe {
  private batch: Asking[] = [];

  constructor(private readonly ctx: BackendContext) {}

  /** Resolves false only when the queue whose active zset is `active` holds no expired lease now (server time). */
  mayHaveStalled(active: string): Promise<boolean> {
    if (this.ctx.connections.cluster) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.batch.push({ active, resolve });
      if (this.batch.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 1) return batch[0]!.resolve(true);
    for (let i = 0; i < batch.length; i += PROBE_CHUNK) {
      const chunk = batch.slice(i, i + PROBE_CHUNK);
      // handles of one queue ask with the same key: it is sent once
      const keys = [...new Set(chunk.map((a) => a.active))];
      try {
        const found = await this.ctx.runner.run(findStalledQueues, {}, {}, keys);
        const stalled = new Set(found.map((n) => keys[n - 1]));
        for (const asking of chunk) asking.resolve(stalled.has(asking.active));
      } catch {
        for (const asking of chunk) asking.resolve(true);
      }
    }
  }
}
