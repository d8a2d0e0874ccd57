import { ClosedError, setClockTimeout, type LockStore } from '@baton/core';
import type { BackendContext } from '../backend-context.js';
import type { LockKeys } from '../key-layout.js';
import { heldReply } from '../reply-codes.js';

/** Longest a waiter sleeps without looking at the lock again (ms): covers lost messages and expiries. */
const FALLBACK_MS = 250;
/** How long a waiter's place in line lasts without a refresh (ms); a crashed waiter blocks others at most this long. */
const PLACE_TTL_MS = 1_500;

/** One waiting acquire of this store: its subscription, and whether its turn was announced. */
interface Waiting {
  unsubscribe: () => void;
  /** Set by a release message addressed to this waiter; cleared when an attempt is sent. */
  signalled: boolean;
  /** Ends the current sleep, if any. */
  wake: () => void;
  /** What the last failed attempt reported: the lock's PTTL and whether this waiter is first in line. */
  last: { pttl: number; first: boolean } | undefined;
}

/**
 * The LockStore on Redis. The lock key holds the owner's token as a plain string with a PX TTL,
 * so a client following the recipe (GET, compare, DEL) interoperates. Acquisition is one script
 * (`SET NX PX` + `INCR` of the fence counter, honouring a waiter queue so waiters are served in
 * order of arrival); release and extend compare the token first.
 *
 * Hand-off: a release publishes the token of the first waiter in line, and only that waiter
 * wakes and tries (one round trip, which also refreshes its place when it loses a race). Every
 * waiter still looks again at least every 250 ms, so a lost message, a recipe client's DEL, an
 * expiry or a crashed first waiter never strands the rest. A waiter stays subscribed from its
 * first wait until it acquires or gives up, so a release between two attempts is not missed.
 */
export class RedisLockStore implements LockStore {
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly ctx: BackendContext,
    private readonly bound?: (resource: string) => string,
  ) {}

  /** See LockStore.tryAcquire. A waiter of this store that loses keeps its place in the same round trip. */
  async tryAcquire(resource: string, token: string, ttlMs: number): Promise<number | null> {
    const k = this.keys(resource);
    const id = waiterId(resource, token);
    const waiter = this.waiting.get(id);
    const now = this.ctx.clock.now();
    if (waiter) waiter.signalled = false;
    const reply = await this.ctx.runner.run('acquireLock', [k.lock, k.fence, k.waiters, k.waiterDeadlines], [token, ttlMs, now, waiter ? now + PLACE_TTL_MS : 0]);
    if (Array.isArray(reply)) {
      if (waiter) waiter.last = { pttl: Number(reply[0]), first: Number(reply[1]) === 1 };
      return null;
    }
    if (reply === null || reply === undefined || reply === false) return null;
    // acquireLock took the token out of the waiter queue
    if (waiter) {
      this.waiting.delete(id);
      waiter.unsubscribe();
    }
    return Number(reply);
  }

  /** See LockStore.extend. */
  async extend(resource: string, token: string, ttlMs: number): Promise<boolean> {
    return heldReply(await this.ctx.runner.run('extendLock', [this.keys(resource).lock], [token, ttlMs]));
  }

  /** See LockStore.release: also tells the first waiter in line that it is its turn. */
  async release(resource: string, token: string): Promise<boolean> {
    const k = this.keys(resource);
    return heldReply(await this.ctx.runner.run('releaseLock', [k.lock, k.waiters, k.waiterDeadlines], [token, k.released, this.ctx.clock.now()]));
  }

  /**
   * See LockStore.confirm: on a connection of its own (WAIT blocks the connection it runs on, and
   * the shared one must keep serving others), `INCRBY <fence> 0` (a write that changes nothing but
   * is replicated after the lock's own write) then `WAIT replicas timeoutMs`, in one round trip;
   * resolves how many replicas acknowledged everything up to and including the lock.
   */
  async confirm(resource: string, _token: string, replicas: number, timeoutMs: number): Promise<number> {
    const fence = this.keys(resource).fence;
    return this.ctx.runner.call(async () => {
      const client = this.ctx.connections.takeBlocking();
      try {
        const replies = await client.pipeline().incrby(fence, 0).wait(replicas, timeoutMs).exec();
        const failed = replies?.find(([error]) => error);
        if (!replies || failed) throw failed?.[0] ?? new Error('WAIT got no reply');
        return Number(replies[1]![1]);
      } finally {
        this.ctx.connections.releaseBlocking(client);
      }
    });
  }

  /**
   * See LockStore.waitForRelease: on the first wait, subscribes and joins the waiter queue; then
   * sleeps until this waiter's turn is announced, the lock's expiry, 250 ms or `timeoutMs`.
   * Rejects with ClosedError when the backend closes.
   */
  async waitForRelease(resource: string, token: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw signal.reason;
    this.ctx.assertOpen();
    const k = this.keys(resource);
    const id = waiterId(resource, token);
    let waiter = this.waiting.get(id);
    if (!waiter) {
      const w: Waiting = { unsubscribe: () => undefined, signalled: false, wake: () => undefined, last: undefined };
      this.waiting.set(id, w);
      w.unsubscribe = await this.ctx.subscriptions.subscribe(k.released, (message) => {
        if (message !== token) return;
        w.signalled = true;
        w.wake();
      });
      const reply = (await this.ctx.runner.run('enterLockQueue', [k.lock, k.waiters, k.waiterDeadlines], [token, this.ctx.clock.now() + PLACE_TTL_MS])) as number[];
      w.last = { pttl: Number(reply[0]), first: Number(reply[1]) === 1 };
      waiter = w;
    }
    const last = waiter.last;
    waiter.last = undefined;
    if (waiter.signalled || (last?.pttl === -2 && last.first)) return;
    const pttl = last?.pttl ?? -1;
    const sleep = Math.max(1, Math.min(timeoutMs, FALLBACK_MS, pttl > 0 ? pttl + 1 : FALLBACK_MS));
    const woken = new Promise<void>((resolve) => (waiter.wake = resolve));
    const cancelTimer = setClockTimeout(this.ctx.clock, sleep, () => waiter.wake());
    const cancelClose = this.ctx.onClose(() => waiter.wake());
    const onAbort = (): void => waiter.wake();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await woken;
    } finally {
      waiter.wake = () => undefined;
      cancelTimer();
      cancelClose();
      signal.removeEventListener('abort', onAbort);
    }
    if (signal.aborted) throw signal.reason;
    if (this.ctx.closed) throw new ClosedError('redis backend');
  }

  /** See LockStore.leaveQueue: unsubscribes and removes the token from the waiter queue in the background. */
  leaveQueue(resource: string, token: string): void {
    const id = waiterId(resource, token);
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    waiter.unsubscribe();
    if (this.ctx.closed) return;
    const k = this.keys(resource);
    this.ctx.runner.run('leaveLockQueue', [k.waiters, k.waiterDeadlines], [token, k.released]).catch((error: unknown) => {
      this.ctx.logger.debug('leaving a lock queue failed; the place expires by itself', { resource, error: String(error) });
    });
  }

  private keys(resource: string): LockKeys {
    return this.ctx.keys.lock(resource, this.bound);
  }
}

function waiterId(resource: string, token: string): string {
  return `${resource}\0${token}`;
}
