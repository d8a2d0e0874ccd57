import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedisServer, type RedisServerHandle } from '../test/setup/redis-server.js';
import { fail, parseArgs } from './lib/args.js';
import { createBenchDatabase, type BenchDatabase } from './lib/postgres.js';
import { barChart } from './lib/chart.js';
import type { BenchConfig } from './lib/config.js';
import type { MetricKey, ScenarioResult } from './lib/metrics.js';
import { ceilingTable, evaluateTargets, metricTable, targetTable, type Results } from './lib/report.js';
import { ROOT, spawnScript } from './lib/spawn.js';
import { abTable, alternate, resolveAbSides, type AbSide } from './lib/ab.js';

/** The scenario processes, in the order they run; each belongs to a group and names a subject. */
const PLAN = [
  { group: 'ceiling', subject: 'ceiling', file: 'ceiling.ts', args: [] },
  { group: 'queue', subject: 'bullmq', file: 'bullmq-queue.ts', args: [] },
  { group: 'queue', subject: 'bee-queue', file: 'bee-queue-queue.ts', args: [] },
  { group: 'queue', subject: 'baton', file: 'baton-queue.ts', args: [] },
  { group: 'queue', subject: 'memory', file: 'baton-queue.ts', args: ['--memory'] },
  { group: 'lock', subject: 'redlock', file: 'redlock-lock.ts', args: [] },
  { group: 'lock', subject: 'redis-semaphore', file: 'redis-semaphore-lock.ts', args: [] },
  { group: 'lock', subject: 'baton', file: 'baton-lock.ts', args: [] },
  { group: 'lock', subject: 'memory', file: 'baton-lock.ts', args: ['--memory'] },
  { group: 'semaphore', subject: 'redis-semaphore', file: 'redis-semaphore-semaphore.ts', args: [] },
  { group: 'semaphore', subject: 'baton', file: 'baton-semaphore.ts', args: [] },
  { group: 'semaphore', subject: 'memory', file: 'baton-semaphore.ts', args: ['--memory'] },
  { group: 'many', subject: 'baton', file: 'many-queues-baton.ts', args: [] },
  { group: 'many', subject: 'bullmq', file: 'many-queues-bullmq.ts', args: [] },
  { group: 'baton', subject: 'memory', file: 'baton-extra.ts', args: ['memory'] },
  { group: 'baton', subject: 'registry', file: 'baton-extra.ts', args: ['registry'] },
  { group: 'baton', subject: 'multi', file: 'baton-extra.ts', args: ['multi'] },
  { group: 'postgres', subject: 'pg-boss', file: 'pg-boss-queue.ts', args: [] },
  { group: 'postgres', subject: 'graphile-worker', file: 'graphile-worker-queue.ts', args: [] },
  { group: 'postgres', subject: 'baton-pg', file: 'baton-pg-queue.ts', args: [] },
];

const QUEUE_KEYS: MetricKey[] = [
  'enqueueOne',
  'enqueueBulk',
  'process1',
  'process50',
  'latencyP50',
  'latencyP99',
  'processPriority50',
  'roundTripP50',
  'roundTripP99',
];
const LOCK_KEYS: MetricKey[] = ['lockCycles', 'lockP50', 'lockP99', 'contCycles', 'waitP50', 'waitP99', 'waitMax', 'switches', 'violations'];
const SEMAPHORE_KEYS: MetricKey[] = [
  'semCycles',
  'semP50',
  'semP99',
  'semContCycles',
  'semWaitP50',
  'semWaitP99',
  'semWaitMax',
  'semViolations',
  'semLongest',
  'semLongest1ms',
];
/** Columns of the PostgreSQL table, as the scenario processes name their subjects. */
const POSTGRES_SUBJECTS = ['Baton (PostgreSQL)', 'pg-boss', 'graphile-worker'];
const BATON_KEYS: MetricKey[] = ['memoryPipeline', 'registryP50', 'registryP99', 'multiProcess'];
const MANY_KEYS: MetricKey[] = ['manyConnections', 'manyCommands', 'manyCalls', 'manyCpu', 'manyLatencyP50', 'manyLatencyP99'];

const args = parseArgs(process.argv.slice(2));
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
let server: RedisServerHandle | undefined;
let database: BenchDatabase | undefined;
let current: ChildProcess | undefined;

async function cleanup(): Promise<void> {
  current?.kill('SIGKILL');
  await server?.stop();
  await database?.drop();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the scenario and the bench redis-server`);
    void cleanup().finally(() => process.exit(130));
  });
}

function runScenario(file: string, scenarioArgs: string[], config: BenchConfig, root = ROOT): Promise<ScenarioResult> {
  const nodeArgs = args.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resultsDir}profiles`] : [];
  const path = resolve(root, 'bench/scenarios', file);
  const child = spawnScript(path, scenarioArgs, { BENCH_CONFIG: JSON.stringify(config) }, nodeArgs, root);
  current = child;
  return new Promise((resolve, reject) => {
    let result: ScenarioResult | undefined;
    child.on('message', (m: ScenarioResult) => (result = m));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      current = undefined;
      if (result && code === 0) resolve(result);
      else reject(new Error(`scenario ${file} ${scenarioArgs.join(' ')} failed (exit ${code ?? signal})`));
    });
  });
}

/** Settings by suite and subject, so each table lists the settings of its own scenarios. */
const settingsBySuite = new Map<string, string>();

function merge(results: Results, r: ScenarioResult): void {
  settingsBySuite.set(`${r.suite}:${r.subject}`, r.settings);
  const existing = results.get(r.subject);
  if (!existing) {
    results.set(r.subject, r);
    return;
  }
  Object.assign(existing.values, r.values);
  existing.notes.push(...r.notes);
}

function machine(redisVersion: string): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, redis-server ${redisVersion} (loopback, \`--save '' --appendonly no\`)`;
}

/** `--ab`: two scenarios alternated run by run; prints the ratio table and writes nothing. */
async function abMain(spec: string): Promise<void> {
  let sides: [AbSide, AbSide];
  try {
    sides = resolveAbSides(spec, args.against === undefined ? undefined : resolve(args.against), PLAN, ROOT);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  server = await startRedisServer();
  if (sides.some((side) => side.file.includes('-pg-'))) database = await createBenchDatabase();
  const config: BenchConfig = { redisUrl: server.url, postgresUrl: database?.url ?? '', reps: 1, sizes: args.sizes };
  console.log(`bench --ab: ${sides[0].label} against ${sides[1].label}, ${args.rounds} rounds of one timed run each, alternating`);
  const runs = await alternate(sides, args.rounds, (side) => runScenario(side.file, side.args, config, side.root));
  await server.stop();
  await database?.drop();
  database = undefined;
  console.log(`\n${abTable(sides, runs)}`);
}

async function main(): Promise<void> {
  if (args.ab !== undefined) return abMain(args.ab);
  // The ceilings run with any Redis group: their shares are only read within one run.
  const withCeiling = args.only.some((o) => ['queue', 'lock', 'semaphore', 'baton', 'bullmq', 'bee-queue', 'redlock', 'redis-semaphore'].includes(o));
  const selected = PLAN.filter(
    (p) =>
      args.only.length === 0 ||
      args.only.includes(p.group) ||
      args.only.includes(p.subject) ||
      (p.subject === 'baton' && args.only.includes('baton')) ||
      (p.group === 'ceiling' && withCeiling),
  );
  if (selected.length === 0) fail(`--only ${args.only.join(',')} selects nothing`);
  server = await startRedisServer();
  const redisVersion =
    execFileSync('redis-server', ['--version'])
      .toString()
      .match(/v=([\d.]+)/)?.[1] ?? '?';
  if (selected.some((p) => p.group === 'postgres')) database = await createBenchDatabase();
  const config: BenchConfig = { redisUrl: server.url, postgresUrl: database?.url ?? '', reps: args.reps, sizes: args.sizes };
  console.log(`bench: redis-server ${redisVersion} on ${server.url}; ${args.reps} timed repetitions after one warm-up; sizes ${JSON.stringify(args.sizes)}`);
  const started = Date.now();
  const results: Results = new Map();
  for (const step of selected) {
    const t0 = Date.now();
    console.log(`▶ ${step.group}: ${step.file} ${step.args.join(' ')}`);
    merge(results, await runScenario(step.file, step.args, config));
    console.log(`  done in ${((Date.now() - t0) / 1_000).toFixed(1)} s`);
  }
  const totalS = (Date.now() - started) / 1_000;
  await server.stop();
  await database?.drop();
  const postgresMachine = database?.describe;
  database = undefined;

  const queueTable = metricTable(results, ['Baton', 'BullMQ', 'bee-queue', 'Baton (memory)'], QUEUE_KEYS);
  const lockTable = metricTable(results, ['Baton', 'redlock', 'redis-semaphore', 'Baton (memory)'], LOCK_KEYS);
  const semaphoreTable = metricTable(results, ['Baton', 'redis-semaphore', 'Baton (memory)'], SEMAPHORE_KEYS);
  const batonTable = metricTable(results, ['Baton'], BATON_KEYS);
  const manyTable = metricTable(results, ['Baton', 'BullMQ'], MANY_KEYS);
  const postgresTable = metricTable(results, POSTGRES_SUBJECTS, QUEUE_KEYS);
  const targets = evaluateTargets(results);
  const settings = (suite: string, names: string[]): string =>
    names
      .filter((n) => settingsBySuite.has(`${suite}:${n}`))
      .map((n) => `- **${n}**: ${settingsBySuite.get(`${suite}:${n}`)}`)
      .join('\n');
  const notes = [...results.values()].flatMap((r) => r.notes.map((n) => `- ${r.subject}: ${n}`)).join('\n');
  const { sizes } = args;
  const md = [
    '# Benchmark results',
    '',
    `Made by \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` on ${new Date().toISOString()} in ${Math.round(totalS)} s.`,
    '',
    `Machine: ${machine(redisVersion)}.`,
    '',
    `Method: each library runs in its own Node process, one after another, against the same redis-server; FLUSHALL before every measurement; one warm-up (a quarter of the size) then ${args.reps} timed repetitions; cells are median (min–max) of the repetitions. Sizes: ${sizes.jobs.toLocaleString('en-US')} jobs per queue scenario, ${sizes.latencyJobs.toLocaleString('en-US')} latency jobs, ${sizes.lockCycles.toLocaleString('en-US')} uncontended cycles, ${sizes.clients} clients × ${sizes.cyclesPerClient} contended cycles, ${sizes.memoryTasks.toLocaleString('en-US')} memory-backend tasks, ${sizes.nodes.toLocaleString('en-US')} registry nodes.`,
    '',
    '## Queue',
    '',
    queueTable,
    '',
    settings('queue', ['Baton', 'BullMQ', 'bee-queue', 'Baton (memory)']),
    '',
    '## Locks (TTL 10 s)',
    '',
    lockTable,
    '',
    settings('lock', ['Baton', 'redlock', 'redis-semaphore', 'Baton (memory)']),
    '',
    '## Semaphores (limit 5, TTL 10 s)',
    '',
    semaphoreTable,
    '',
    settings('semaphore', ['Baton', 'redis-semaphore', 'Baton (memory)']),
    '',
    '## 1,000 queues in one process',
    '',
    manyTable,
    '',
    settings('many', ['Baton', 'BullMQ']),
    '',
    '## One at a time, against the client ceiling',
    '',
    ceilingTable(results),
    '',
    settings('ceiling', ['ioredis (ceiling)']),
    '',
    '## Baton only',
    '',
    batonTable,
    '',
    settings('baton', ['Baton']),
    '',
    ...(postgresTable
      ? [
          '## Queue on PostgreSQL',
          '',
          `Server: ${postgresMachine ?? '?'}; a database of the run's own, every table emptied before every measurement.`,
          '',
          postgresTable,
          '',
          settings('postgres', POSTGRES_SUBJECTS),
          '',
        ]
      : []),
    '## Targets',
    '',
    targetTable(targets),
    '',
    ...(notes ? ['## Notes', '', notes, ''] : []),
  ].join('\n');
  console.log(`\n${md}`);
  if (args.write) {
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(`${resultsDir}latest.md`, md);
    const peersQ = ['Baton', 'BullMQ', 'bee-queue'];
    const peersL = ['Baton', 'redlock', 'redis-semaphore'];
    const chart = barChart(results, [
      ...QUEUE_KEYS.map((key) => ({ key, subjects: peersQ })),
      ...(['lockCycles', 'contCycles', 'waitP99', 'waitMax', 'switches'] as MetricKey[]).map((key) => ({ key, subjects: peersL })),
      ...(['semCycles', 'semContCycles', 'semWaitP99', 'semWaitMax'] as MetricKey[]).map((key) => ({ key, subjects: ['Baton', 'redis-semaphore'] })),
    ]);
    writeFileSync(`${resultsDir}chart.svg`, chart);
    console.log(`wrote ${resultsDir}latest.md and chart.svg`);
  }
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await cleanup();
    process.exit(1);
  },
);
