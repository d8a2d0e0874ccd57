/** What a demo node reports to the demo's coordinator (in-process call or IPC message). */
export type NodeReport =
  | { type: 'ready'; node: string; pid: number }
  /** The handler finished its work for task `id` (the side effect happened; the ack comes next). */
  | { type: 'ran'; node: string; id: string }
  /** The task was acknowledged finished by this node. */
  | { type: 'done'; node: string; id: string }
  | { type: 'retry'; node: string; id: string }
  | { type: 'failed'; node: string; id: string }
  | { type: 'lost'; node: string; id: string }
  | { type: 'stalled'; node: string; count: number }
  | { type: 'tick'; node: string; tick: number }
  | { type: 'stopped'; node: string };

/** Settings every demo node runs with. */
export interface DemoNodeSettings {
  nodeId: string;
  queue: string;
  group: string;
  concurrency: number;
  /** Simulated work per task: a random duration in [workMinMs, workMaxMs]. */
  workMinMs: number;
  workMaxMs: number;
  visibilityTimeoutMs: number;
  tickMs: number;
}

/** The coordinator's message to a node process. */
export type CoordinatorMessage = { type: 'stop' };
