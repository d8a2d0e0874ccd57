// Fault family 4: a client process SIGSTOPped while it holds a lock, past the lock's TTL. Another
// process takes the lock with a larger fence; when the first resumes its signal has aborted, its
// writes are refused by the fence check and its release() returns false.
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../setup/eventually.js';
import { killAll, spawnTsx, type NodeProcess } from '../setup/node-process.js';
import { startRedisServer, type RedisServerHandle } from '../setup/redis-server.js';
import { FencedStore } from './support/fenced-store.js';
import { recordFigures } from './support/results.js';

const available = inject('redisUrl') !== '';
const holderScript = fileURLToPath(new URL('./workers/lock-holder.ts', import.meta.url));
const TTL_MS = 1_000;
const PAUSE_MS = 2_000;

let server: RedisServerHandle | undefined;
let holder: NodeProcess | undefined;
let backend: RedisBackend | undefined;
let raw: Redis | undefined;

afterAll(async () => {
  if (holder) await killAll([holder]);
  await backend?.close();
  raw?.disconnect();
  await server?.stop();
});

describe.skipIf(!available)(`client frozen${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  it('a holder paused past its TTL loses the lock to a larger fence, and on resume is refused and cannot release', async () => {
    server = await startRedisServer();
    const prefix = 'client-freeze';
    holder = spawnTsx(holderScript, [server.url, prefix, String(TTL_MS)]);
    const fenceA = Number((await holder.waitForLine((l) => l.startsWith('acquired '), 30_000)).split(' ')[1]);
    raw = new Redis(server.url);
    const store = new FencedStore(raw, prefix);
    await eventually(async () => (await store.log()).length >= 3, { what: 'the holder to write three times', timeoutMs: 5_000 });

    holder.kill('SIGSTOP');
    const pausedAt = Date.now();
    backend = new RedisBackend({ url: server.url, prefix, logger: silentLogger });
    const lockB = await backend.locks().acquire('res', { ttlMs: 10_000, waitMs: 5_000 });
    const takenAfterMs = Date.now() - pausedAt;
    expect(await store.write(lockB.fence, 'other')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, PAUSE_MS - (Date.now() - pausedAt))));
    holder.kill('SIGCONT');
    const summary = (
      JSON.parse(await holder.waitForLine((l) => l.startsWith('{"summary"'), 10_000)) as {
        summary: { fence: number; writesAfterPause: number; acceptedAfterPause: number; staleWriteAccepted: boolean; released: boolean; abortCode: string };
      }
    ).summary;
    const log = await store.log();
    const otherFirst = log.indexOf(`other ${lockB.fence}`);
    const holderWritesAfterOther = log.slice(otherFirst + 1).filter((l) => l.startsWith('holder')).length;
    expect(await lockB.release()).toBe(true);
    recordFigures('client-freeze', {
      ttlMs: TTL_MS,
      pauseMs: PAUSE_MS,
      takenOverAfterMs: takenAfterMs,
      fences: [fenceA, lockB.fence],
      holderWritesAfterResume: summary.writesAfterPause,
      staleWritesAccepted: summary.acceptedAfterPause + (summary.staleWriteAccepted ? 1 : 0) + holderWritesAfterOther,
      abortCode: summary.abortCode,
      releaseReturned: summary.released,
    });
    expect(lockB.fence).toBeGreaterThan(fenceA);
    expect(summary.fence).toBe(fenceA);
    expect(takenAfterMs).toBeLessThan(TTL_MS + 1_000);
    expect(summary.abortCode).toBe('LOCK_LOST');
    expect(summary.acceptedAfterPause).toBe(0);
    expect(summary.staleWriteAccepted).toBe(false);
    expect(holderWritesAfterOther).toBe(0);
    expect(summary.released).toBe(false);
    expect(await holder.exited).toMatchObject({ code: 0 });
  }, 40_000);
});
