import { expect, it } from 'vitest';
import { elect, inspectElection } from '../election/index.js';
import { describeNeeding, type ConformanceCapabilities, type Harness } from './harness.js';

/** locks().inspect and inspectElection: who holds a lock, its fence, time left and line, from any node. */
export function lockInspectionConformance(h: Harness, caps: ConformanceCapabilities): void {
  describeNeeding(caps, 'lockInspection')('locks: inspection', () => {
    it('inspect shows the holder with its fence and time left, never the token, from another node; free after release or expiry', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const watcher = b2.locks();
      expect(await watcher.inspect('inspect-lock')).toEqual({ resource: 'inspect-lock', holder: null, fence: 0, waiters: 0 });
      const lock = await b1.locks().acquire('inspect-lock', { ttlMs: 10 * h.unit });
      const held = await watcher.inspect('inspect-lock');
      expect(held).toMatchObject({ resource: 'inspect-lock', fence: lock.fence, waiters: 0, holder: { fence: lock.fence } });
      expect(held.holder!.expiresInMs).toBeGreaterThan(5 * h.unit);
      expect(held.holder!.expiresInMs).toBeLessThanOrEqual(10 * h.unit);
      expect(JSON.stringify(held)).not.toContain(lock.token);
      await lock.release();
      expect(await watcher.inspect('inspect-lock')).toEqual({ resource: 'inspect-lock', holder: null, fence: lock.fence, waiters: 0 });
      const next = await b1.locks().acquire('inspect-lock', { ttlMs: 2 * h.unit });
      expect(next.fence).toBeGreaterThan(lock.fence);
      await h.advance(3 * h.unit);
      expect(await watcher.inspect('inspect-lock')).toMatchObject({ holder: null, fence: next.fence });
    });

    it('inspect counts the acquisitions waiting in line', async () => {
      const [b1, b2, b3] = [await h.backend(), await h.backend(), await h.backend()];
      const lock = await b1.locks().acquire('inspect-line', { ttlMs: 50 * h.unit });
      const waits = [b2, b3].map((b) => b.locks().acquire('inspect-line', { ttlMs: 50 * h.unit, waitMs: 40 * h.unit }));
      await h.eventually(async () => expect((await b1.locks().inspect('inspect-line')).waiters).toBe(2), 10 * h.unit);
      await lock.release();
      const first = await Promise.race(waits);
      await h.eventually(
        async () => expect(await b1.locks().inspect('inspect-line')).toMatchObject({ waiters: 1, holder: { fence: first.fence } }),
        10 * h.unit,
      );
      await first.release();
      const handles = await Promise.all(waits);
      await Promise.all(handles.map((handle) => handle.release()));
      expect(await b1.locks().inspect('inspect-line')).toMatchObject({ holder: null, waiters: 0 });
    });

    it('inspectElection tells whether an election is led, by which term, and for how long', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      expect(await inspectElection(b2.locks(), 'inspect-election')).toEqual({
        name: 'inspect-election',
        led: false,
        term: 0,
        expiresInMs: null,
        candidates: 0,
      });
      const election = elect(b1.locks(), 'inspect-election', { ttlMs: 10 * h.unit, clock: h.clock });
      try {
        await election.whenLeader();
        const state = await inspectElection(b2.locks(), 'inspect-election');
        expect(state).toMatchObject({ name: 'inspect-election', led: true, term: election.fence });
        expect(state.expiresInMs).toBeGreaterThan(0);
      } finally {
        await election.resign();
      }
      expect(await inspectElection(b2.locks(), 'inspect-election')).toMatchObject({ led: false, expiresInMs: null });
    });

    it('inspect refuses a bad resource name', async () => {
      const locks = (await h.backend()).locks();
      await expect(locks.inspect('')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(inspectElection(locks, '')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });
}
