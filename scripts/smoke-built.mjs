// Imports each built package the way an application does (no source condition, so from dist/)
// and runs one task through it: memory in-process, Redis against a private redis-server on a free
// loopback port. Catches what the tests, which run the sources, cannot: a missing export in the
// built entry points, or Lua scripts that the built Redis adapter cannot find. Run after `npm run build`.
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

function check(condition, what) {
  if (!condition) {
    console.error(`smoke: ${what}`);
    process.exit(1);
  }
}

check(typeof core.Scheduler === 'function' && typeof core.ManualClock === 'function', '@baton/core lacks Scheduler or ManualClock');
check(typeof testCluster === 'function', '@baton/memory-adapter/testing lacks testCluster');
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
