import { describe, expect, it } from 'vitest';
import { ClosedError, LockLostError } from '../errors/index.js';
import type { Harness } from './harness.js';

/** What close() promises: idempotent, pending waits settle, later calls throw ClosedError. */
export function lifecycleConformance(h: Harness): void {
  describe('backend lifecycle', () => {
    it('names its kind', async () => {
      const b = await h.backend();
      expect(typeof b.kind).toBe('string');
      expect(b.kind.length).toBeGreaterThan(0);
    });

    it('close is idempotent, settles a pending dequeue and makes later calls throw ClosedError', async () => {
      const b = await h.backend();
      const q = b.queue('closing');
      const pending = q.dequeue({ waitMs: 100 * h.unit });
      await h.advance(Math.floor(h.unit / 2));
      await b.close();
      await b.close();
      await expect(pending).resolves.toBeNull();
      await expect(q.enqueue('x')).rejects.toBeInstanceOf(ClosedError);
      await expect(q.dequeue()).rejects.toBeInstanceOf(ClosedError);
      await expect(b.locks().tryAcquire('r')).rejects.toBeInstanceOf(ClosedError);
      expect(() => b.queue('another')).toThrow(ClosedError);
    });

    it('closing a backend aborts the signals of locks held through it and rejects its lock waits', async () => {
      const [closing, other] = [await h.backend(), await h.backend()];
      await other.locks().acquire('held-elsewhere', { ttlMs: 50 * h.unit });
      const held = await closing.locks().acquire('held-here', { ttlMs: 50 * h.unit, autoExtend: true });
      const waiting = closing
        .locks()
        .acquire('held-elsewhere', { waitMs: 50 * h.unit })
        .then(
          () => 'acquired',
          (e: unknown) => e,
        );
      await h.advance(Math.floor(h.unit / 2));
      await closing.close();
      expect(held.signal.aborted).toBe(true);
      expect(held.signal.reason).toBeInstanceOf(LockLostError);
      expect(await waiting).toBeInstanceOf(ClosedError);
    });

    it('closing one node leaves the others working on the same state', async () => {
      const [closing, staying] = [await h.backend(), await h.backend()];
      await closing.queue('survive').enqueue('kept', { id: 'k' });
      await closing.close();
      const lease = await staying.queue('survive').dequeue();
      expect(lease?.id).toBe('k');
    });
  });
}
