import type { PermitState } from '@baton/core/adapter';
import { ReplyCode } from '../reply-codes.js';
import { arrayReply, heldReply } from '../reply-decoders.js';
import { defineScript } from '../script.js';

// The scripts of semaphores and read/write locks (scripts/<name>.lua). Key names are PermitKeys
// fields.

/** What one acquirePermits call found. */
export type PermitAcquireReply =
  /** Granted by this call: the grant's fence. */
  | { state: 'acquired'; fence: number }
  /** Not granted; the caller (not waiting) is not in line. */
  | { state: 'held' }
  /** An earlier step already handed the permits to this waiter: that grant's fence. */
  | { state: 'handed'; fence: number }
  /** The waiter is in line: ms until the first grant runs out (-1: none), and the hand-off sequence as seen. */
  | { state: 'waiting'; wakeInMs: number; seq: number }
  /** The request's limit disagrees with the limit in force, which is given. */
  | { state: 'limit'; limit: number };

function decodeAcquire(reply: unknown): PermitAcquireReply {
  if (reply === null || reply === undefined) return { state: 'held' };
  if (!Array.isArray(reply)) return { state: 'acquired', fence: Number(reply) };
  const [code, a, b] = arrayReply(reply, 'acquirePermits').map(Number);
  if (code === ReplyCode.HandedOver) return { state: 'handed', fence: a! };
  if (code === ReplyCode.LimitMismatch) return { state: 'limit', limit: a! };
  return { state: 'waiting', wakeInMs: a!, seq: b! };
}

function decodeInspect(reply: unknown): PermitState {
  const [limit, holders, waiters] = arrayReply(reply, 'inspectPermits') as [number, number[], number[]];
  const state: PermitState = { limit: limit < 0 ? null : limit, holders: [], waiters: waiters.map((permits) => ({ permits })) };
  for (let i = 0; i < holders.length; i += 3) state.holders.push({ permits: holders[i]!, fence: holders[i + 1]!, expiresInMs: holders[i + 2]! });
  return state;
}

const PERMIT_KEYS = ['state', 'holders', 'waiters', 'places'] as const;

/** Grants permits, or (for a waiter) keeps its place in line; see PermitAcquireReply. */
export const acquirePermits = defineScript('acquirePermits', {
  keys: PERMIT_KEYS,
  args: ['token', 'permits', 'limit', 'ttlMs', 'bump', 'placeMs', 'grantChannel'],
  decode: decodeAcquire,
});

/** Resets a live grant's expiry; false when the token holds none. */
export const extendPermits = defineScript('extendPermits', {
  keys: ['holders'],
  args: ['token', 'ttlMs'],
  decode: heldReply,
});

/** Gives a grant back and hands permits to the waiters that now fit; false when the grant was not live. */
export const releasePermits = defineScript('releasePermits', {
  keys: PERMIT_KEYS,
  args: ['token'],
  decode: heldReply,
});

/** Takes a waiter out of line, giving back permits handed to it. */
export const leavePermitQueue = defineScript('leavePermitQueue', {
  keys: PERMIT_KEYS,
  args: ['token', 'entry'],
  decode: (reply) => Number(reply) === 1,
});

/** The live grants and waiters (never tokens). */
export const inspectPermits = defineScript('inspectPermits', {
  keys: PERMIT_KEYS,
  args: [],
  readOnly: true,
  decode: decodeInspect,
});
