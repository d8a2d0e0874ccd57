import { ReplyCode } from '../reply-codes.js';
import { arrayReply, heldReply, numberReply } from '../reply-decoders.js';
import { defineScript } from '../script.js';

// The lock's scripts (scripts/<name>.lua). Key names are LockKeys fields.

/** What one acquireLock call found. */
export type AcquireReply =
  /** The caller took the lock: the new fence. */
  | { state: 'acquired'; fence: number }
  /** Held by another; the caller (not waiting) is not in line. */
  | { state: 'held' }
  /** A release already handed the lock to this waiter: the fence of that hand-off. */
  | { state: 'handed'; fence: number }
  /** The waiter is in line: the lock's PTTL (ms; -1 without expiry) and the fence counter as seen. */
  | { state: 'waiting'; pttl: number; fence: number };

function decodeAcquire(reply: unknown): AcquireReply {
  if (reply === null || reply === undefined) return { state: 'held' };
  if (!Array.isArray(reply)) return { state: 'acquired', fence: Number(reply) };
  const r = arrayReply(reply, 'acquireLock');
  if (Number(r[0]) === ReplyCode.HandedOver) return { state: 'handed', fence: Number(r[1]) };
  return { state: 'waiting', pttl: Number(r[1]), fence: Number(r[2]) };
}

/** Takes the lock, or (for a waiter) keeps its place in line. */
export const acquireLock = defineScript('acquireLock', {
  keys: ['lock', 'fence', 'waiters', 'waiterDeadlines'],
  args: ['token', 'ttlMs', 'placeMs', 'grantChannel'],
  decode: decodeAcquire,
});

/** Takes a waiter out of line, passing on a lock handed to it. */
export const leaveLockQueue = defineScript('leaveLockQueue', {
  keys: ['lock', 'fence', 'waiters', 'waiterDeadlines'],
  args: ['token', 'entry'],
  decode: (reply) => Number(reply) === 1,
});

/** Resets the TTL of a lock the token still owns; false when it does not. */
export const extendLock = defineScript('extendLock', {
  keys: ['lock'],
  args: ['token', 'ttlMs'],
  decode: heldReply,
});

/** Hands the lock to the next waiter or deletes it; false when the token did not own it. */
export const releaseLock = defineScript('releaseLock', {
  keys: ['lock', 'fence', 'waiters', 'waiterDeadlines'],
  args: ['token'],
  decode: heldReply,
});

/** Raises a fence counter to at least `target` (Redlock); the counter after the call. */
export const raiseFence = defineScript('raiseFence', {
  keys: ['fence'],
  args: ['target'],
  decode: numberReply,
});

/** What inspectLock read: the fence counter, the holder's ms left (-2: free, -1: no expiry), live waiters. */
export interface LockReading {
  fence: number;
  pttl: number;
  waiters: number;
}

/** Reads a lock's fence, holder TTL and live waiters, changing nothing (never the token). */
export const inspectLock = defineScript('inspectLock', {
  keys: ['lock', 'fence', 'waiterDeadlines'],
  args: [],
  readOnly: true,
  decode: (reply): LockReading => {
    const [fence, pttl, waiters] = arrayReply(reply, 'inspectLock').map(Number);
    return { fence: fence!, pttl: pttl!, waiters: waiters! };
  },
});
