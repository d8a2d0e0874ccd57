import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock/index.js';
import { InvalidArgumentError, isBatonError, LockLostError, type BatonError, type LockKind } from '../errors/index.js';
import { isInstrumented, reportLockWait, type LockWait } from '../instrumentation/index.js';
import type { LockHandle } from '../interfaces/index.js';
import type { Logger } from '../interfaces/logger.js';
import type { LockGrant } from './lock-store.js';

/** The waiting steps shared by LockStore and PermitStore; `R` is what one attempt asks for. */
export interface QueueingStore<R> {
  tryAcquire(resource: string, token: string, request: R, queue?: boolean): Promise<number | LockGrant | null>;
  waitForRelease(resource: string, token: string, timeoutMs: number, signal: AbortSignal): Promise<LockGrant | void>;
  leaveQueue?(resource: string, token: string): void | Promise<void>;
}

/** What a waiting acquisition got: a fence from its own request (sent at `requestedAt`), or a grant handed to it. */
export interface Acquired {
  got: number | LockGrant;
  requestedAt: number;
}

// An acquire without a signal of its own waits on one signal that never aborts: creating an
// AbortSignal cost 3-4 µs (measured), once per contended acquire. Any number of waits may listen to
// it at once.
const NEVER_ABORTED = new AbortController().signal;
setMaxListeners(0, NEVER_ABORTED);

/** `value` checked as an AbortSignal, or a signal that never aborts when undefined. Throws InvalidArgumentError naming `argument`. */
export function abortSignalOr(argument: string, value: unknown): AbortSignal {
  if (value === undefined) return NEVER_ABORTED;
  if (!(value instanceof AbortSignal)) throw new InvalidArgumentError(argument, 'must be an AbortSignal when given');
  return value;
}

/**
 * The acquire loop of every lock-family manager: try, and while not granted wait for a release
 * (or a hand-off) until `waitMs` has passed, then throw `timeout()`; throws the signal's reason
 * when it aborts first. A caller that will wait joins the line in its first attempt (one round
 * trip less per wait). The caller's place is left in every case, granted or not (waiting for a
 * store's leaveQueue promise, if it returns one, when not granted). The caller turns
 * what it got into a handle and passes it through keepUnlessAborted.
 */
export async function acquireInLine<R>(
  store: QueueingStore<R>,
  clock: Clock,
  resource: string,
  token: string,
  request: R,
  waitMs: number,
  signal: AbortSignal,
  assertOpen: () => void,
  timeout: () => BatonError,
): Promise<Acquired> {
  if (signal.aborted) throw signal.reason;
  const giveUpAt = clock.now() + waitMs;
  const queue = waitMs > 0;
  let granted = false;
  try {
    for (;;) {
      assertOpen();
      const requestedAt = clock.now();
      const got = await store.tryAcquire(resource, token, request, queue);
      granted = got !== null;
      if (got !== null) return { got, requestedAt };
      if (signal.aborted) throw signal.reason;
      const remaining = giveUpAt - clock.now();
      if (remaining <= 0) throw timeout();
      const grant = await store.waitForRelease(resource, token, remaining, signal);
      granted = grant !== undefined;
      if (grant) return { got: grant, requestedAt };
    }
  } catch (error) {
    // A call that close() cut short fails on its lost connection: report the close instead.
    assertOpen();
    throw error;
  } finally {
    const leaving = store.leaveQueue?.(resource, token);
    // A store that leaves in a round trip: out of line before a caller that gave up hears so, or a
    // release that follows could still hand it the lock on its way out.
    if (leaving && !granted) await leaving.catch(() => undefined);
  }
}

/**
 * Returns `handle`, unless `signal` aborted while it was being taken: then the caller gave up, so
 * it must not end up holding it; the handle is released and the signal's reason thrown.
 */
export async function keepUnlessAborted<H extends LockHandle>(handle: H, signal: AbortSignal): Promise<H> {
  if (!signal.aborted) return handle;
  await handle.release().catch(() => false);
  throw signal.reason;
}

/** The fence and the time a holder's local deadline counts from, for a fence or a hand-off. */
export function grantStart(got: number | LockGrant, requestedAt: number): { fence: number; since: number } {
  // A fence comes from the caller's own request (its TTL started after `requestedAt`); a grant
  // carries the earliest time its TTL can have started.
  return typeof got === 'number' ? { fence: got, since: requestedAt } : { fence: got.fence, since: got.grantedAfter };
}

/**
 * Runs `fn` with `handle` (acquired with autoExtend), then releases it; throws LockLostError after
 * `fn` settles when the handle was lost meanwhile. A failed release is logged: the TTL frees it.
 */
export async function runHolding<H extends LockHandle, R>(handle: H, fn: (handle: H) => Promise<R>, logger: Logger, kind: LockKind): Promise<R> {
  try {
    const result = await fn(handle);
    if (handle.signal.aborted) {
      throw handle.signal.reason instanceof LockLostError ? handle.signal.reason : new LockLostError(handle.resource, 'lost while fn ran', { kind });
    }
    return result;
  } finally {
    await handle.release().catch((error: unknown) => {
      logger.warn(`${kind} release failed; it will expire by its TTL`, { resource: handle.resource, error: String(error) });
    });
  }
}

/**
 * Runs one acquisition that may wait (`fn`) and tells the installed instrumentations how long it
 * waited and how it ended (lock wait metrics); without any installed, just runs it.
 */
export async function reportedWait<T>(clock: Clock, kind: LockKind, resource: string, fn: () => Promise<T>): Promise<T> {
  if (!isInstrumented()) return fn();
  const started = clock.now();
  let outcome: LockWait['outcome'] = 'error';
  try {
    const value = await fn();
    outcome = 'acquired';
    return value;
  } catch (error) {
    if (isBatonError(error, 'LOCK_TIMEOUT')) outcome = 'timeout';
    throw error;
  } finally {
    reportLockWait({ kind, resource, waitedMs: clock.now() - started, outcome });
  }
}
