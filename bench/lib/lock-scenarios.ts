import type { Harness } from './harness.js';
import { nowMs, quantile } from './stats.js';

/** A lock held by one client. */
export interface HeldLock {
  release(): Promise<unknown>;
}

/** One client (its own connection(s)) of a lock library. */
export interface LockClient {
  /** Acquires `key` for `ttlMs`, waiting (the library's way) as long as it takes. */
  acquire(key: string, ttlMs: number): Promise<HeldLock>;
  close(): Promise<void>;
}

/** A lock library under test. */
export interface LockSubject {
  name: string;
  /** True for a backend without Redis (nothing to count). */
  memory?: boolean;
  settings: string;
  client(): Promise<LockClient>;
}

/** Lock TTL of every scenario (ms). */
export const LOCK_TTL_MS = 10_000;

/** Runs the uncontended and contended lock scenarios of the issue for one subject. */
export async function runLockScenarios(h: Harness, subject: LockSubject): Promise<void> {
  const { lockCycles, clients, cyclesPerClient } = h.config.sizes;

  await h.repeat('uncontended', async (warmup) => {
    const n = warmup ? Math.max(100, lockCycles >> 2) : lockCycles;
    const c = await subject.client();
    const cycles: number[] = [];
    const t0 = nowMs();
    for (let i = 0; i < n; i++) {
      const s = nowMs();
      const lock = await c.acquire(`bench:lock:${i}`, LOCK_TTL_MS);
      await lock.release();
      cycles.push(nowMs() - s);
    }
    const ms = nowMs() - t0;
    await c.close();
    return { lockCycles: (n / ms) * 1_000, lockP50: quantile(cycles, 0.5), lockP99: quantile(cycles, 0.99) };
  });

  if (!subject.memory) {
    const c = await subject.client();
    const n = 500;
    const counts = await h.countCommands(async () => {
      for (let i = 0; i < n; i++) await (await c.acquire(`bench:count:${i}`, LOCK_TTL_MS)).release();
    });
    await c.close();
    const total = Object.values(counts).reduce((a, b) => a + b, 0) / n;
    h.note(
      `Redis commands per uncontended cycle: ${total.toFixed(1)} (${Object.entries(counts)
        .map(([k, v]) => `${k} ${(v / n).toFixed(2)}`)
        .join(', ')})`,
    );
  }

  let notedContended = false;
  await h.repeat('contended', async (warmup) => {
    const per = warmup ? Math.max(10, cyclesPerClient >> 2) : cyclesPerClient;
    const all = await Promise.all(Array.from({ length: clients }, () => subject.client()));
    const waits: number[] = [];
    const holders: number[] = [];
    let inside = -1;
    let violations = 0;
    let ms = 0;
    const counts = await h.countCommands(async () => {
      const t0 = nowMs();
      await Promise.all(
        all.map(async (c, id) => {
          for (let k = 0; k < per; k++) {
            const s = nowMs();
            const lock = await c.acquire('bench:contended', LOCK_TTL_MS);
            waits.push(nowMs() - s);
            holders.push(id);
            // the critical section: nobody else may be inside, before or after a turn of the event loop
            if (inside !== -1) violations++;
            inside = id;
            await new Promise((resolve) => setImmediate(resolve));
            if (inside !== id) violations++;
            inside = -1;
            await lock.release();
          }
        }),
      );
      ms = nowMs() - t0;
    });
    await Promise.all(all.map((c) => c.close()));
    if (!warmup && !subject.memory && !notedContended) {
      notedContended = true;
      const total = Object.values(counts).reduce((a, b) => a + b, 0) / holders.length;
      h.note(
        `Redis commands per contended cycle: ${total.toFixed(1)} (${Object.entries(counts)
          .filter(([, v]) => v / holders.length >= 0.01)
          .map(([k, v]) => `${k} ${(v / holders.length).toFixed(2)}`)
          .join(', ')})`,
      );
    }
    let switches = 0;
    for (let i = 1; i < holders.length; i++) if (holders[i] !== holders[i - 1]) switches++;
    return {
      contCycles: (holders.length / ms) * 1_000,
      waitP50: quantile(waits, 0.5),
      waitP99: quantile(waits, 0.99),
      waitMax: Math.max(...waits),
      switches: (switches / Math.max(1, holders.length - 1)) * 100,
      violations,
    };
  });
}
