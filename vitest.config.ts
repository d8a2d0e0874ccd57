import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { startFirstSequencer } from './test/setup/start-first-sequencer.js';
import { TierHintReporter, type TierSummary } from './test/setup/tier-hint-reporter.js';

/** A test tier: a vitest project with its files and the servers its global setup starts. */
interface Tier extends TierSummary {
  /** Test files of the tier; a file matched by two tiers belongs to the one listed first. */
  include: string[];
  /** Starts what the tier's tests need (servers) once per run, and only when the tier runs. */
  globalSetup?: string[];
  testTimeout: number;
  /**
   * Test files of the tier that run at the same time. Tiers with the same value run together, and
   * groups run one after the other, most parallel first: redis, unit, postgres, then the one-file
   * tiers (slow last), so the fault tests never share the machine with the rest of the suite.
   */
  parallelFiles: number;
  /**
   * Files that start before the rest of the tier (paths from the root): its longest runs, so that
   * they are not the tail of a run without recorded durations (a fresh clone, CI), where vitest
   * starts the largest files first.
   */
  startFirst?: string[];
  /**
   * Whether each test file gets fresh modules (vitest's `isolate`). The unit tier shares them: its
   * files keep no module state between tests, and importing core, the adapters and their
   * dependencies again for every file took about three quarters of the tier's time.
   */
  isolate?: boolean;
}

const redisServer = 'test/setup/redis-global-setup.ts';
/** Creates the run's own database on the machine's PostgreSQL (and drops it at teardown). */
const postgresDatabase = 'test/setup/postgres-global-setup.ts';

/**
 * The tiers, most expensive first; a file goes to the first tier whose `include` matches it, and
 * `unit` takes what is left. Adding a tier (another backend and its servers, say) is one entry here
 * with its own global setup, plus `--project <name>` in package.json's `test` script when
 * contributors should run it every time.
 */
const TIERS: Tier[] = [
  {
    name: 'slow',
    about: 'faults, Redis Cluster and Sentinel, several processes, the demo: minutes',
    command: 'npm run test:slow',
    include: [
      'test/faults/**/*.test.ts',
      'test/conformance/redis-cluster.conformance.test.ts',
      'packages/redis-adapter/test/sentinel.redis.test.ts',
      'packages/redis-adapter/test/sharded-queue.redis.test.ts',
      'packages/redis-adapter/test/upgrade-cluster.redis.test.ts',
      'packages/redis-adapter/test/multi-process.redis.test.ts',
      'test/scheduler/multi-process.redis.test.ts',
      'test/scheduler/election-process.redis.test.ts',
      'test/examples/demo.test.ts',
    ],
    globalSetup: [redisServer, postgresDatabase],
    testTimeout: 20_000,
    parallelFiles: 1,
  },
  {
    name: 'cli',
    command: 'npm run test:cli',
    about: 'the baton command, the demo error paths and the README and docs examples, each test a process on memory, Redis and PostgreSQL',
    include: ['packages/cli/test/**/*.process.test.ts', 'test/examples/demo-unreachable.test.ts', 'test/readme/**/*.process.test.ts'],
    globalSetup: [redisServer, postgresDatabase],
    testTimeout: 60_000,
    // One file at a time, after the redis and postgres tiers (in test:all): each test starts node
    // processes (about 1 s of CPU each), which took the CPU the real-time conformance runs' margins need.
    parallelFiles: 1,
  },
  {
    name: 'browser',
    command: 'npm run test:browser',
    about: "the dashboard clicked through in headless Chromium (Debian's chromium package, driven by playwright-core)",
    include: ['packages/*/test/**/*.browser.test.ts'],
    testTimeout: 60_000,
    // One browser at a time, with the other one-file tiers: Chromium takes both cores while it starts.
    parallelFiles: 1,
  },
  {
    name: 'postgres',
    about: 'the PostgreSQL adapter and the conformance suite on a database of the run on 127.0.0.1:5432',
    command: 'npm run test:postgres',
    include: ['packages/postgres-adapter/**/*.test.ts', 'test/**/*.postgres.test.ts', 'test/conformance/postgres.conformance.test.ts'],
    globalSetup: [postgresDatabase],
    testTimeout: 20_000,
    // Two files at a time: mostly waits on sockets and timers.
    parallelFiles: 2,
  },
  {
    name: 'redis',
    about: 'the Redis adapter and the conformance suite on one redis-server, DI',
    include: [
      'packages/redis-adapter/**/*.test.ts',
      'test/**/*.redis.test.ts',
      'packages/*/test/**/*.redis.test.ts',
      'test/conformance/redis-queue-*.conformance.test.ts',
      'test/conformance/redis-coordination-*.conformance.test.ts',
      'test/di/**/*.test.ts',
    ],
    globalSetup: [redisServer],
    startFirst: [
      'test/conformance/redis-queue-1.conformance.test.ts',
      'test/conformance/redis-queue-2.conformance.test.ts',
      'test/conformance/redis-coordination-1.conformance.test.ts',
      'test/conformance/redis-coordination-2.conformance.test.ts',
      'test/scheduler/scheduler-time.redis.test.ts',
      'test/scheduler/scheduler-work.redis.test.ts',
    ],
    testTimeout: 20_000,
    // Four files at a time: their tests mostly wait on timers and sockets (the real-time
    // conformance and scheduler runs are split into several files for this).
    parallelFiles: 4,
    // Shared modules: importing core, the adapters and ioredis again for every file took more
    // CPU than the tests, and that CPU is what the real-time runs' 100 ms margins need.
    isolate: false,
  },
  {
    // In-process only (ManualClock, no server, no child process): each test takes milliseconds, so
    // a test that waits for real time fails fast here instead of slowing every run down.
    name: 'unit',
    about: 'core, the memory backend and its conformance run, the scheduler on memory, a bounded simulator sweep: seconds',
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 5_000,
    parallelFiles: 3,
    isolate: false,
  },
];

/** Each tier as a vitest project that leaves out the files of the tiers listed before it. */
function projects(): TestProjectInlineConfiguration[] {
  const groups = [...new Set(TIERS.map((t) => t.parallelFiles))].sort((a, b) => b - a);
  return TIERS.map((tier, i) => ({
    extends: true,
    test: {
      name: tier.name,
      include: tier.include,
      exclude: ['**/node_modules/**', '**/dist/**', ...TIERS.slice(0, i).flatMap((t) => t.include)],
      globalSetup: tier.globalSetup ?? [],
      testTimeout: tier.testTimeout,
      maxWorkers: tier.parallelFiles,
      isolate: tier.isolate ?? true,
      // vitest runs projects of different maxWorkers in separate groups, in this order.
      sequence: { groupOrder: groups.indexOf(tier.parallelFiles) },
    },
  }));
}

export default defineConfig({
  // Test files outside a package's src are not covered by its tsconfig, so the
  // decorator settings are given to the transpiler here as well.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: false } } as never,
  ssr: { resolve: { conditions: ['@baton/source'] } },
  test: {
    projects: projects(),
    reporters: ['default', new TierHintReporter(TIERS)],
    sequence: { sequencer: startFirstSequencer(TIERS.flatMap((t) => t.startFirst ?? [])) },
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
