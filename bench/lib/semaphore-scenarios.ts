import type { Harness } from './harness.js';
import type { HeldLock } from './lock-scenarios.js';
import { nowMs, quantile } from './stats.js';

/** One client (its own connection(s)) of a semaphore library. */
export interface SemaphoreClient {
  /** Takes one permit of `key` (capacity `limit`) for `ttlMs`, waiting (the library's way) as long as it takes. */
  acquire(key: string, limit: number, ttlMs: number): Promise<HeldLock>;
  close(): Promise<void>;
}

/** A semaphore library under test. */
export interface SemaphoreSubject {
  name: string;
  /** True for a backend without Redis (nothing to count). */
  memory?: boolean;
  settings: string;
  client(): Promise<SemaphoreClient>;
}

/** Permits of the semaphore in every scenario. */
export const SEMAPHORE_LIMIT = 5;
/** TTL of every grant (ms). */
export const SEMAPHORE_TTL_MS = 10_000;

/**
 * The semaphore scenarios of the issue for one subject: uncontended acquire+release cycles on
 * distinct keys, and 20 clients taking turns on one key with a limit of 5. The contended run
 * counts violations (more than 5 holders at once, before or after a turn of the event loop) and
 * the share of acquisitions that went to the client that had waited longest (100 % is strict
 * order of arrival), also counted with 1 ms of slack: a wait starts when the client calls acquire,
 * before its request reaches the server, so two clients that start within a ms of each other may
 * join the line in either order.
 */
export async function runSemaphoreScenarios(h: Harness, subject: SemaphoreSubject): Promise<void> {
  const { lockCycles, clients, cyclesPerClient } = h.config.sizes;

  await h.repeat('semaphore uncontended', async (warmup) => {
    const n = warmup ? Math.max(100, lockCycles >> 2) : lockCycles;
    const c = await subject.client();
    const cycles: number[] = [];
    const t0 = nowMs();
    for (let i = 0; i < n; i++) {
      const s = nowMs();
      const held = await c.acquire(`bench:sem:${i}`, SEMAPHORE_LIMIT, SEMAPHORE_TTL_MS);
      await held.release();
      cycles.push(nowMs() - s);
    }
    const ms = nowMs() - t0;
    await c.close();
    return { semCycles: (n / ms) * 1_000, semP50: quantile(cycles, 0.5), semP99: quantile(cycles, 0.99) };
  });

  if (!subject.memory) {
    const c = await subject.client();
    const n = 500;
    const counts = await h.countCommands(async () => {
      for (let i = 0; i < n; i++) await (await c.acquire(`bench:sem-count:${i}`, SEMAPHORE_LIMIT, SEMAPHORE_TTL_MS)).release();
    });
    await c.close();
    h.note(`Redis commands per uncontended semaphore cycle: ${perCycle(counts, n, 0)}`);
  }

  let noted = false;
  await h.repeat('semaphore contended', async (warmup) => {
    const per = warmup ? Math.max(10, cyclesPerClient >> 2) : cyclesPerClient;
    const all = await Promise.all(Array.from({ length: clients }, () => subject.client()));
    const waits: number[] = [];
    // when each client started waiting (NaN: not waiting)
    const since = new Float64Array(clients).fill(Number.NaN);
    let acquisitions = 0;
    let toLongestWaiting = 0;
    let toLongestWithin1ms = 0;
    let inside = 0;
    let violations = 0;
    let ms = 0;
    const counts = await h.countCommands(async () => {
      const t0 = nowMs();
      await Promise.all(
        all.map(async (c, id) => {
          for (let k = 0; k < per; k++) {
            const s = nowMs();
            since[id] = s;
            const held = await c.acquire('bench:sem-contended', SEMAPHORE_LIMIT, SEMAPHORE_TTL_MS);
            let earliest = s;
            for (let other = 0; other < clients; other++) if (since[other]! < earliest) earliest = since[other]!;
            since[id] = Number.NaN;
            if (earliest === s) toLongestWaiting++;
            // a client that started waiting less than 1 ms before may have joined the line after
            // this one (its first request was still on the way), so it does not count as passed
            if (s - earliest < 1) toLongestWithin1ms++;
            acquisitions++;
            waits.push(nowMs() - s);
            // the critical section: at most SEMAPHORE_LIMIT inside, before and after a turn of the event loop
            if (++inside > SEMAPHORE_LIMIT) violations++;
            await new Promise((resolve) => setImmediate(resolve));
            if (inside > SEMAPHORE_LIMIT) violations++;
            inside--;
            await held.release();
          }
        }),
      );
      ms = nowMs() - t0;
    });
    await Promise.all(all.map((c) => c.close()));
    if (!warmup && !subject.memory && !noted) {
      noted = true;
      h.note(`Redis commands per contended semaphore cycle: ${perCycle(counts, acquisitions, 0.01)}`);
    }
    return {
      semContCycles: (acquisitions / ms) * 1_000,
      semWaitP50: quantile(waits, 0.5),
      semWaitP99: quantile(waits, 0.99),
      semWaitMax: Math.max(...waits),
      semViolations: violations,
      semLongest: (toLongestWaiting / Math.max(1, acquisitions)) * 100,
      semLongest1ms: (toLongestWithin1ms / Math.max(1, acquisitions)) * 100,
    };
  });
}

function perCycle(counts: Record<string, number>, cycles: number, minShare: number): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0) / cycles;
  const parts = Object.entries(counts)
    .filter(([, v]) => v / cycles >= minShare)
    .map(([k, v]) => `${k} ${(v / cycles).toFixed(2)}`);
  return `${total.toFixed(1)} (${parts.join(', ')})`;
}
