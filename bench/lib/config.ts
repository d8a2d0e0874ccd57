/** Sizes of the scenarios; the figures are the defaults, `--scale` shrinks them all. */
export interface BenchSizes {
  /** Jobs per queue throughput scenario (a–c). @default 20_000 */
  jobs: number;
  /** Jobs of the latency scenario (d), one at a time. @default 1_000 */
  latencyJobs: number;
  /** Uncontended lock cycles on distinct keys. @default 5_000 */
  lockCycles: number;
  /** Contended lock: clients on one key. @default 20 */
  clients: number;
  /** Contended lock: cycles per client. @default 200 */
  cyclesPerClient: number;
  /** Memory backend pipeline: tasks through enqueue, lease and complete. @default 200_000 */
  memoryTasks: number;
  /** Registry scenario: live nodes. @default 1_000 */
  nodes: number;
}

/** What run.ts hands each scenario process (JSON in BENCH_CONFIG). */
export interface BenchConfig {
  redisUrl: string;
  /** A database run.ts created for this run (dropped at the end); '' when no PostgreSQL scenario runs. */
  postgresUrl: string;
  /** Timed repetitions after the warm-up. @default 5 */
  reps: number;
  sizes: BenchSizes;
}

/** The sizes. */
export const DEFAULT_SIZES: BenchSizes = {
  jobs: 20_000,
  latencyJobs: 1_000,
  lockCycles: 5_000,
  clients: 20,
  cyclesPerClient: 200,
  memoryTasks: 200_000,
  nodes: 1_000,
};

/** Reads the configuration a scenario process was started with. */
export function readConfig(): BenchConfig {
  const raw = process.env.BENCH_CONFIG;
  if (!raw) throw new Error('BENCH_CONFIG is not set: scenarios are started by bench/run.ts (npm run bench)');
  return JSON.parse(raw) as BenchConfig;
}
