import { UsageError } from '../cli-error.js';
import type { CommandContext } from '../command.js';

/** The integer value of flag `name` (at least `min`), undefined when not given; UsageError otherwise. */
export function integerFlag(ctx: CommandContext, name: string, min: number): number | undefined {
  const raw = ctx.flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min) {
    const range = min === -Infinity ? 'an integer' : `an integer >= ${min}`;
    throw new UsageError(`--${name} must be ${range}, got "${String(raw)}"`);
  }
  return n;
}
