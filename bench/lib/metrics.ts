/** Every metric the benchmarks report: its label, unit and which direction is better. */
export interface MetricDef {
  label: string;
  unit: string;
  better: 'higher' | 'lower';
}

/** Metric keys shared by the scenario processes (which measure them) and run.ts (which prints them). */
export const METRICS = {
  enqueueOne: { label: '(a) enqueue one by one', unit: 'jobs/s', better: 'higher' },
  enqueueBulk: { label: '(b) bulk enqueue, batches of 1,000', unit: 'jobs/s', better: 'higher' },
  process1: { label: '(c) process, concurrency 1', unit: 'jobs/s', better: 'higher' },
  process50: { label: '(c) process, concurrency 50', unit: 'jobs/s', better: 'higher' },
  latencyP50: { label: '(d) add → handler start, p50', unit: 'ms', better: 'lower' },
  latencyP99: { label: '(d) add → handler start, p99', unit: 'ms', better: 'lower' },
  processPriority50: { label: '(e) process a priority mix (10 levels), concurrency 50', unit: 'jobs/s', better: 'higher' },
  roundTripP50: { label: '(f) enqueue and wait for the outcome, p50', unit: 'ms', better: 'lower' },
  roundTripP99: { label: '(f) enqueue and wait for the outcome, p99', unit: 'ms', better: 'lower' },
  lockCycles: { label: 'uncontended acquire+release', unit: 'cycles/s', better: 'higher' },
  lockP50: { label: 'uncontended cycle p50', unit: 'ms', better: 'lower' },
  lockP99: { label: 'uncontended cycle p99', unit: 'ms', better: 'lower' },
  contCycles: { label: 'contended (20 clients, one key)', unit: 'cycles/s', better: 'higher' },
  waitP50: { label: 'contended acquire wait p50', unit: 'ms', better: 'lower' },
  waitP99: { label: 'contended acquire wait p99', unit: 'ms', better: 'lower' },
  waitMax: { label: 'contended acquire wait max', unit: 'ms', better: 'lower' },
  switches: { label: 'holder switches', unit: '% of acquisitions', better: 'higher' },
  violations: { label: 'mutual-exclusion violations', unit: 'count', better: 'lower' },
  semCycles: { label: 'uncontended acquire+release (limit 5)', unit: 'cycles/s', better: 'higher' },
  semP50: { label: 'uncontended cycle p50', unit: 'ms', better: 'lower' },
  semP99: { label: 'uncontended cycle p99', unit: 'ms', better: 'lower' },
  semContCycles: { label: 'contended (20 clients, one key, limit 5)', unit: 'cycles/s', better: 'higher' },
  semWaitP50: { label: 'contended acquire wait p50', unit: 'ms', better: 'lower' },
  semWaitP99: { label: 'contended acquire wait p99', unit: 'ms', better: 'lower' },
  semWaitMax: { label: 'contended acquire wait max', unit: 'ms', better: 'lower' },
  semViolations: { label: 'more than 5 holders at once', unit: 'count', better: 'lower' },
  semLongest: { label: 'acquisitions that went to the longest-waiting client', unit: '%', better: 'higher' },
  semLongest1ms: { label: '… to within 1 ms of the longest wait', unit: '%', better: 'higher' },
  memoryPipeline: { label: 'enqueueMany + dequeueMany + complete', unit: 'tasks/s', better: 'higher' },
  registryP50: { label: 'registry list(), 1,000 live nodes, p50', unit: 'ms', better: 'lower' },
  registryP99: { label: 'registry list(), 1,000 live nodes, p99', unit: 'ms', better: 'lower' },
  multiProcess: { label: '2 worker processes × concurrency 50', unit: 'jobs/s', better: 'higher' },
  manyConnections: { label: '1,000 idle queues: Redis connections', unit: 'count', better: 'lower' },
  manyCommands: { label: '1,000 idle queues: commands Redis ran (script internals included)', unit: 'per s', better: 'lower' },
  manyCalls: { label: '1,000 idle queues: calls clients sent', unit: 'per s', better: 'lower' },
  manyCpu: { label: '1,000 idle queues: client CPU', unit: '% of a core', better: 'lower' },
  manyLatencyP50: { label: 'add → handler start, one queue among 1,000, p50', unit: 'ms', better: 'lower' },
  manyLatencyP99: { label: 'add → handler start, one queue among 1,000, p99', unit: 'ms', better: 'lower' },
  ceilingScript: { label: 'one EVALSHA of `return 1` at a time', unit: 'calls/s', better: 'higher' },
  ceilingLock: { label: 'SET NX PX + DEL, one at a time', unit: 'cycles/s', better: 'higher' },
} as const satisfies Record<string, MetricDef>;

/** A metric key. */
export type MetricKey = keyof typeof METRICS;

/** What one scenario process reports: its subject, its settings, and each metric's timed repetitions. */
export interface ScenarioResult {
  subject: string;
  suite: 'queue' | 'lock' | 'semaphore' | 'baton' | 'ceiling' | 'postgres' | 'many';
  settings: string;
  values: Partial<Record<MetricKey, number[]>>;
  /** Free-form observations (e.g. round trips per operation). */
  notes: string[];
}
