// Faults on a private PostgreSQL server (initdb + pg_ctl, durable settings): restarts with a fast
// and an immediate shutdown while producers and workers run, sessions killed with
// pg_terminate_backend while a lease and a lock are held, and a server frozen (SIGSTOP) past the
// lock and lease TTLs. Each is bounded to a few seconds.
import { isBatonError, Scheduler, silentLogger, SystemClock } from '@baton/core';
import { PostgresBackend, type PostgresBackendOptions } from '@baton/postgres-adapter';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FencedResource } from './support/fenced-resource.js';
import { PrivatePostgres } from './support/private-postgres.js';

const available = inject('postgresUrl') !== '';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let server: PrivatePostgres | undefined;
const backends: PostgresBackend[] = [];
const schedulers: Scheduler[] = [];

function backend(schema: string, extra: Partial<PostgresBackendOptions> = {}): PostgresBackend {
  const b = new PostgresBackend({ connectionString: server!.url, schema, logger: silentLogger, connectTimeoutMs: 1_000, commandTimeoutMs: 2_000, ...extra });
  backends.push(b);
  return b;
}

async function until(check: () => boolean | Promise<boolean>, withinMs: number): Promise<boolean> {
  const giveUpAt = Date.now() + withinMs;
  while (Date.now() < giveUpAt) {
    if (await check()) return true;
    await sleep(25);
  }
  return check();
}

describe.skipIf(!available)(`postgres faults${available ? '' : ' (SKIPPED: no PostgreSQL)'}`, () => {
  beforeAll(async () => {
    server = await PrivatePostgres.start();
  }, 60_000);
  afterAll(async () => {
    await server?.thaw();
    await Promise.allSettled(schedulers.map((s) => s.stop({ timeoutMs: 0 })));
    await Promise.allSettled(backends.map((b) => b.close()));
    await server?.destroy();
  }, 60_000);

  it('restarts (fast, then immediate shutdown) mid-run lose no acknowledged enqueue, and workers resume by themselves', async () => {
    const producer = backend('restart');
    await producer.ready();
    const queue = producer.queue<number>('jobs', { visibilityTimeoutMs: 1_000 });
    const completed = new Set<string>();
    const worker = new Scheduler(backend('restart'), new SystemClock(), silentLogger, {
      nodeId: 'w1',
      idleWaitMs: 200,
      recoverStalledIntervalMs: 200,
      errorBackoffMs: 50,
    });
    schedulers.push(worker);
    worker.handle<number>('jobs', async (task) => void completed.add(task.id), { concurrency: 4, queue: { visibilityTimeoutMs: 1_000 } });
    await worker.start();

    const acknowledged: string[] = [];
    let refused = 0;
    let producing = true;
    const produce = (async () => {
      for (let i = 0; producing; i++) {
        try {
          await queue.enqueue(i, { id: `t${i}` });
          acknowledged.push(`t${i}`);
        } catch {
          refused++;
          await sleep(20);
        }
      }
    })();
    await sleep(400);
    await server!.stop('fast');
    await server!.boot();
    await sleep(400);
    const beforeCrash = completed.size;
    await server!.stop('immediate');
    await server!.boot();
    await sleep(400);
    producing = false;
    await produce;
    const all = await until(() => acknowledged.every((id) => completed.has(id)), 15_000);
    const lost = acknowledged.filter((id) => !completed.has(id));
    console.log(`[faults] postgres-restart acknowledged=${acknowledged.length} refused=${refused} completed=${completed.size} lost=${lost.length}`);
    expect(lost).toEqual([]);
    expect(all).toBe(true);
    expect(completed.size).toBeGreaterThan(beforeCrash);
  }, 60_000);

  it('sessions killed with pg_terminate_backend while a lease and a lock are held: both stay held and are finished by their holder', async () => {
    const b = backend('killed');
    await b.ready();
    const queue = b.queue<string>('jobs', { visibilityTimeoutMs: 5_000 });
    await queue.enqueue('work', { id: 'k1' });
    const lease = (await queue.dequeue())!;
    const lock = await b.locks().acquire('r', { ttlMs: 5_000 });
    const admin = new pg.Client({ connectionString: server!.url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name IN ('baton', 'baton-listen') AND pid <> pg_backend_pid()`,
      );
      expect(rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await sleep(200);
    // Leases and locks are rows, not sessions: nobody else can take them meanwhile…
    const other = backend('killed');
    expect(await other.locks().tryAcquire('r')).toBeNull();
    expect(await other.queue('jobs').dequeue()).toBeNull();
    // …and the holder, on new connections, finishes them.
    expect(await queue.complete(lease)).toBe(true);
    expect(await queue.isFinished('k1')).toBe(true);
    expect(await lock.release()).toBe(true);
    expect(lock.signal.aborted).toBe(false);
  }, 30_000);

  it('a server frozen past the TTLs: calls settle, the holder learns it lost the lock, and no stale fenced write is accepted', async () => {
    const ttlMs = 800;
    const resource = new FencedResource();
    const holderA = await backend('frozen').locks().acquire('res', { ttlMs, autoExtend: true });
    resource.grant(holderA.fence);
    const contender = backend('frozen');
    await contender.ready();
    let aStopped = false;
    const aLoop = (async () => {
      while (!holderA.signal.aborted) {
        resource.write(holderA.fence, 'A');
        await sleep(20);
      }
      aStopped = true;
      // a holder that ignored its signal would still write: the fence check must refuse it later
    })();
    await sleep(200);
    await server!.freeze();
    const bounded = backend('frozen', { commandTimeoutMs: 500 });
    const settled = bounded
      .locks()
      .tryAcquire('other')
      .then(
        () => 'ok',
        (e: unknown) => (isBatonError(e) ? e.code : String(e)),
      );
    await sleep(ttlMs + 700);
    const aAbortedWhileFrozen = holderA.signal.aborted;
    await server!.thaw();
    const holderB = await contender.locks().acquire('res', { ttlMs: 5_000, waitMs: 5_000 });
    resource.grant(holderB.fence);
    expect(resource.write(holderB.fence, 'B')).toBe(true);
    await aLoop;
    const staleWrite = resource.write(holderA.fence, 'A');
    expect(await settled).toBe('BACKEND_UNAVAILABLE');
    expect(aAbortedWhileFrozen).toBe(true);
    expect(aStopped).toBe(true);
    expect(holderB.fence).toBeGreaterThan(holderA.fence);
    expect(staleWrite).toBe(false);
    expect(resource.staleAccepted).toBe(0);
    expect(await holderA.release()).toBe(false);
    console.log(`[faults] postgres-freeze aFence=${holderA.fence} bFence=${holderB.fence} refused=${resource.refused} staleAccepted=${resource.staleAccepted}`);
    await holderB.release();
  }, 30_000);
});
