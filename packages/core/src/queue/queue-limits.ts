import { InvalidArgumentError } from '../errors/index.js';
import { assertOptionsObject, positiveIntOr } from '../validation/index.js';

/** Largest `limits.concurrency` and `limits.rate.max` accepted. */
export const MAX_LIMIT = 1_000_000;

/** Longest `limits.rate.perMs` accepted (ms): one day. */
export const MAX_RATE_WINDOW_MS = 86_400_000;

/** QueueLimits checked, with only the limits that were given. */
export interface ResolvedLimits {
  /** Most leases active at once; undefined: no limit. */
  concurrency?: number;
  /** Most leases started per window of `perMs` ms; undefined: no limit. */
  rate?: { max: number; perMs: number };
}

/**
 * Checks `options.limits` (InvalidArgumentError naming the field) and returns the limits given,
 * or undefined when there are none (no object, or an empty one), so a store tests one field.
 */
export function resolveLimits(value: unknown): ResolvedLimits | undefined {
  assertOptionsObject('options.limits', value);
  if (value === undefined) return undefined;
  const limits = value as { concurrency?: unknown; rate?: unknown };
  const out: ResolvedLimits = {};
  if (limits.concurrency !== undefined) out.concurrency = bounded('options.limits.concurrency', limits.concurrency, MAX_LIMIT);
  if (limits.rate !== undefined) {
    assertOptionsObject('options.limits.rate', limits.rate);
    const rate = limits.rate as { max?: unknown; perMs?: unknown };
    if (rate.max === undefined || rate.perMs === undefined) throw new InvalidArgumentError('options.limits.rate', 'must give both max and perMs');
    out.rate = { max: bounded('options.limits.rate.max', rate.max, MAX_LIMIT), perMs: bounded('options.limits.rate.perMs', rate.perMs, MAX_RATE_WINDOW_MS) };
  }
  return out.concurrency === undefined && out.rate === undefined ? undefined : out;
}

function bounded(argument: string, value: unknown, most: number): number {
  const n = positiveIntOr(argument, value, 1);
  if (n > most) throw new InvalidArgumentError(argument, `must be at most ${most}, got ${n}`);
  return n;
}
