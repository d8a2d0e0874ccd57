// Imports each built package the way an application does (no source condition, so from dist/)
// and runs one task through it (and one seeded simulation on memory): memory in-process, Redis
// against a private redis-server on a free loopback port, the dashboard's page and API on memory, PostgreSQL on a database of its own on the machine's server (127.0.0.1:5432,
// dropped afterwards). Catches what the tests, which run the sources, cannot: a missing export in the
// built entry points, or Lua scripts that the built Redis adapter cannot find. Also runs the built
// `baton` bin once, on its memory: demo. Run after `npm run build`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const core = await import('@baton/core');
const adapterKit = await import('@baton/core/adapter');
const { MemoryBackend } = await import('@baton/memory-adapter');
const { testCluster } = await import('@baton/memory-adapter/testing');
const { RedisBackend } = await import('@baton/redis-adapter');
const { PostgresBackend, migrate } = await import('@baton/postgres-adapter');
const simulator = await import('@baton/simulator');
const { default: pg } = await import('pg');
const { BatonMetrics, metricsHandler } = await import('@baton/metrics');
const { enableTracing } = await import('@baton/tracing');
const { createDashboard } = await import('@baton/dashboard');

function check(condition, what) {
  if (!condition) {
    console.error(`smoke: ${what}`);
    process.exit(1);
  }
}

check(typeof core.Scheduler === 'function' && typeof core.ManualClock === 'function', '@baton/core lacks Scheduler or ManualClock');
check(typeof testCluster === 'function', '@baton/memory-adapter/testing lacks testCluster');
check(typeof BatonMetrics === 'function' && typeof metricsHandler === 'function', '@baton/metrics lacks BatonMetrics or metricsHandler');
check(typeof enableTracing() === 'function', '@baton/tracing: enableTracing did not return its off switch');
check(
  typeof adapterKit.StoreQueue === 'function' && typeof adapterKit.StoreLockManager === 'function' && typeof adapterKit.BackendLifecycle === 'function',
  '@baton/core/adapter lacks StoreQueue, StoreLockManager or BackendLifecycle',
);

async function roundTrip(backend, label) {
  const queue = backend.queue(`smoke-${label}`);
  const { id } = await queue.enqueue({ hello: label });
  const lease = await queue.dequeue();
  check(lease?.id === id && lease.payload.hello === label, `${label}: the task did not come back`);
  check(await queue.complete(lease), `${label}: complete returned false`);
  check(await queue.isFinished(id), `${label}: the task is not finished`);
  await backend.close();
  console.log(`smoke: ${label} ok`);
}

await roundTrip(new MemoryBackend({ clock: new core.ManualClock() }), 'memory');

// The simulator: one short seeded run of its standard workload through the built packages.
const simulated = await simulator.simulate({ seed: 1, steps: 20 }, simulator.standardWorkload());
check(simulated.failure === undefined && simulated.taskRuns > 0, 'simulator: the standard workload did not run clean');
console.log(`smoke: simulator ok (${simulated.taskRuns} task-runs)`);

// The built `baton` bin, as npm links it: run through its package.json `bin` entry, on the demo.
{
  const { readFileSync } = await import('node:fs');
  const cliPackage = JSON.parse(readFileSync(new URL('../packages/cli/package.json', import.meta.url), 'utf8'));
  const bin = new URL(`../packages/cli/${cliPackage.bin.baton}`, import.meta.url);
  check(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node'), 'cli: the built bin lacks its #! line');
  const run = spawn(process.execPath, [bin.pathname, 'stats', 'emails', '--url', 'memory:', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  run.stdout.on('data', (chunk) => (out += chunk));
  const code = await new Promise((resolve) => run.once('close', resolve));
  check(code === 0 && JSON.parse(out).queue === 'emails', `cli: baton stats on memory: exited ${code} with ${JSON.stringify(out)}`);
  console.log('smoke: cli ok');
}

// The built dashboard: its page files are found beside dist/, and its API answers.
{
  const { createServer: createHttpServer } = await import('node:http');
  const backend = new MemoryBackend({ clock: new core.ManualClock() });
  await backend.queue('smoke-dashboard').enqueue({ hello: 'dashboard' });
  const dashboard = createDashboard({ backend });
  const server = createHttpServer(dashboard).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${server.address().port}/`;
  try {
    const html = await (await fetch(base)).text();
    const script = await fetch(`${base}app.js`);
    const overview = await (await fetch(`${base}api/overview`)).json();
    check(html.includes('src="app.js"') && script.ok, 'dashboard: the page or its script was not served');
    check(overview.queues[0]?.name === 'smoke-dashboard' && overview.queues[0].waiting === 1, `dashboard: api/overview gave ${JSON.stringify(overview)}`);
  } finally {
    await dashboard.close();
    server.close();
    await backend.close();
  }
  console.log('smoke: dashboard ok');
}

const port = await new Promise((resolve, reject) => {
  const srv = createServer();
  srv.on('error', reject);
  srv.listen(0, '127.0.0.1', () => {
    const { port } = srv.address();
    srv.close(() => resolve(port));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'baton-smoke-'));
const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
try {
  let backend;
  for (let attempt = 0; ; attempt++) {
    backend = new RedisBackend({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 500 });
    try {
      await backend.queue('smoke-ping').stats();
      break;
    } catch (error) {
      await backend.close();
      if (attempt >= 40) throw error;
      await sleep(50);
    }
  }
  await roundTrip(backend, 'redis');
} finally {
  server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}

// PostgreSQL: a database of its own, migrated by migrate() as a deployment step would, then a
// lock, a registration, permits and a task through a backend that does not migrate.
const adminUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `baton_smoke_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${database}"`);
try {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const migrated = await migrate({ connectionString: url.toString(), schema: 'smoke' });
  check(migrated.to >= 1 && migrated.from === 0, 'postgres: migrate() did not create the schema');
  const backend = new PostgresBackend({ connectionString: url.toString(), schema: 'smoke', migrate: false });
  const lock = await backend.locks().acquire('smoke', { ttlMs: 5_000 });
  check(lock.fence === 1 && (await lock.release()), 'postgres: the lock did not go round');
  const registration = await backend.registry('smoke').register({ id: 'n1' });
  check((await backend.registry('smoke').list()).length === 1, 'postgres: the node is not listed');
  await registration.deregister();
  const permits = await backend.semaphores({ limit: 2 }).acquire('smoke', { permits: 2 });
  check(await permits.release(), 'postgres: the permits did not go round');
  await roundTrip(backend, 'postgres');
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
}
