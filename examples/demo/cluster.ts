import type { Queue } from '@baton/core';
import type { DemoTask } from './node-runner.js';

/** The demo's nodes, wherever they run: in this process (memory) or as child processes (Redis). */
export interface DemoCluster {
  /** The ids of the nodes, in start order. */
  readonly nodeIds: string[];
  /** The producer's handle on the demo queue. */
  readonly queue: Queue<DemoTask>;
  /** Starts every node; resolves when all are registered. */
  start(): Promise<void>;
  /** Crashes one node: no graceful stop, its leases are left to expire. */
  kill(node: string): Promise<void>;
  /** Gracefully stops the nodes still running. Safe to call twice. */
  stopAll(): Promise<void>;
  /** Releases the producer's connection. Safe to call twice. */
  close(): Promise<void>;
}
