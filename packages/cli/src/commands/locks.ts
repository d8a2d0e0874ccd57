import { NotSupportedError, type LockManager } from '@baton/core';
import type { Command } from '../command.js';

/**
 * A lock manager that can describe a lock (`locks.inspect`, of the `inspection` capability): held or
 * free, fence, remaining TTL, waiters, never the token. Read through this optional shape so the
 * command works with backends built before the operation existed (they get exit code 4).
 */
type InspectableLocks = LockManager & { inspect?: (resource: string) => Promise<Record<string, unknown>> };

/** `baton locks <resource>`: who holds a lock, with which fence, for how long, and how many wait. */
export const locksCommand: Command = {
  name: 'locks',
  usage: '<resource>',
  summary: 'a lock: held or free, fence, remaining TTL, waiters',
  positionals: { min: 1, max: 1 },
  read: true,
  flags: {},
  async run(ctx) {
    const resource = ctx.args[0]!;
    const locks = (await ctx.backend()).locks() as InspectableLocks;
    if (typeof locks.inspect !== 'function') throw new NotSupportedError('locks.inspect', 'inspection');
    const info = await locks.inspect(resource);
    if (ctx.json) {
      ctx.io.out(JSON.stringify({ ...info, resource }));
      return;
    }
    const entries = Object.entries({ ...info, resource });
    const width = Math.max(...entries.map(([k]) => k.length));
    for (const [key, value] of entries) ctx.io.out(`${key.padEnd(width)}  ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  },
};
