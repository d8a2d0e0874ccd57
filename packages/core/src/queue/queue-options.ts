import { InvalidArgumentError } from '../errors/index.js';
import type { QueueKeyNames, QueueOptions } from '../interfaces/index.js';
import { assertOptionsObject, positiveIntOr } from '../validation/index.js';
import type { BackoffPolicy } from './backoff.js';
import { resolveLimits, type ResolvedLimits } from './queue-limits.js';

/** Queue defaults (ms, counts, bytes); see QueueOptions for the meaning of each. */
export const QUEUE_DEFAULTS = {
  visibilityTimeoutMs: 30_000,
  maxAttempts: 3,
  backoff: { baseMs: 1_000, maxMs: 60_000 },
  retainFinishedMs: 86_400_000,
  maxPayloadBytes: 1_048_576,
  shards: 1,
  retainDead: { count: 10_000, ageMs: 604_800_000 },
} as const;

/** Largest shard count accepted. */
export const MAX_SHARDS = 1024;

/** Largest batch accepted by enqueueMany / dequeueMany / deadLetters. */
export const MAX_BATCH = 10_000;

/** QueueOptions with every default filled in and every value checked. */
export interface ResolvedQueueOptions {
  visibilityTimeoutMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  retainFinishedMs: number;
  maxPayloadBytes: number;
  shards: number;
  keys: QueueKeyNames;
  /** Dead letters kept: at most `count`, none older than `ageMs` (ms). */
  retainDead: { count: number; ageMs: number };
  /** The queue's limits (see QueueLimits); undefined when it has none, so the plain path tests one field. */
  limits: ResolvedLimits | undefined;
}

/** Validates queue options (InvalidArgumentError naming the option) and fills in the defaults. */
export function resolveQueueOptions(options: QueueOptions | undefined): ResolvedQueueOptions {
  assertOptionsObject('options', options);
  const o = options ?? {};
  assertOptionsObject('options.backoff', o.backoff);
  const baseMs = positiveIntOr('options.backoff.baseMs', o.backoff?.baseMs, QUEUE_DEFAULTS.backoff.baseMs);
  const maxMs = positiveIntOr('options.backoff.maxMs', o.backoff?.maxMs, Math.max(baseMs, QUEUE_DEFAULTS.backoff.maxMs));
  if (maxMs < baseMs) throw new InvalidArgumentError('options.backoff.maxMs', `must be >= backoff.baseMs (${baseMs}), got ${maxMs}`);
  const shards = positiveIntOr('options.shards', o.shards, QUEUE_DEFAULTS.shards);
  if (shards > MAX_SHARDS) throw new InvalidArgumentError('options.shards', `must be at most ${MAX_SHARDS}, got ${shards}`);
  assertOptionsObject('options.keys', o.keys);
  assertOptionsObject('options.retainDead', o.retainDead);
  return {
    visibilityTimeoutMs: positiveIntOr('options.visibilityTimeoutMs', o.visibilityTimeoutMs, QUEUE_DEFAULTS.visibilityTimeoutMs),
    maxAttempts: positiveIntOr('options.maxAttempts', o.maxAttempts, QUEUE_DEFAULTS.maxAttempts),
    backoff: { baseMs, maxMs },
    retainFinishedMs: positiveIntOr('options.retainFinishedMs', o.retainFinishedMs, QUEUE_DEFAULTS.retainFinishedMs),
    maxPayloadBytes: positiveIntOr('options.maxPayloadBytes', o.maxPayloadBytes, QUEUE_DEFAULTS.maxPayloadBytes),
    shards,
    keys: { ...o.keys },
    retainDead: {
      count: positiveIntOr('options.retainDead.count', o.retainDead?.count, QUEUE_DEFAULTS.retainDead.count),
      ageMs: positiveIntOr('options.retainDead.ageMs', o.retainDead?.ageMs, QUEUE_DEFAULTS.retainDead.ageMs),
    },
    limits: resolveLimits(o.limits),
  };
}
