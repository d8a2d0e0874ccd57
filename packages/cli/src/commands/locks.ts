import { inspectElection, type LockState } from '@baton/core';
import { NotFoundError } from '../cli-error.js';
import type { Command } from '../command.js';
import { duration } from '../format.js';

/** True for a lock nobody ever took and nobody waits for: most likely a mistyped name. */
function neverUsed(state: { fence: number; waiters: number; held: boolean }): boolean {
  return state.fence === 0 && state.waiters === 0 && !state.held;
}

/** Key/value lines, the keys padded to one width. */
function fields(entries: Array<[string, string]>): string[] {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}

/** `baton locks <resource>`: who holds a lock (by fence, never the token), for how long, and how many wait. */
export const locksCommand: Command = {
  name: 'locks',
  usage: '<resource>',
  summary: 'a lock: held or free, fence, time left, waiters (never the token)',
  positionals: { min: 1, max: 1 },
  read: true,
  flags: {},
  async run(ctx) {
    const resource = ctx.args[0]!;
    const state: LockState = await (await ctx.backend()).locks().inspect(resource);
    if (neverUsed({ ...state, held: state.holder !== null })) throw new NotFoundError(`lock "${resource}" was never acquired and nobody waits for it`);
    if (ctx.json) {
      ctx.io.out(JSON.stringify(state));
      return;
    }
    const held = state.holder === null ? 'free' : `held by fence ${state.holder.fence}, expires in ${duration(state.holder.expiresInMs)} unless extended`;
    const lines = fields([
      ['resource', resource],
      ['state', held],
      ['fence', `${state.fence} (latest handed out)`],
      ['waiters', String(state.waiters)],
    ]);
    for (const line of lines) ctx.io.out(line);
  },
};

/** `baton leader <election>`: who leads an election, by term, read from its lock. */
export const leaderCommand: Command = {
  name: 'leader',
  usage: '<election>',
  summary: 'an election: led or not, term, time left, candidates waiting',
  positionals: { min: 1, max: 1 },
  read: true,
  flags: {},
  async run(ctx) {
    const name = ctx.args[0]!;
    const state = await inspectElection((await ctx.backend()).locks(), name);
    if (neverUsed({ fence: state.term, waiters: state.candidates, held: state.led }))
      throw new NotFoundError(`election "${name}" never had a leader and has no candidates`);
    if (ctx.json) {
      ctx.io.out(JSON.stringify(state));
      return;
    }
    const led = state.led ? `led, term ${state.term}, ends in ${duration(state.expiresInMs ?? 0)} unless renewed` : `nobody leads (last term ${state.term})`;
    const lines = fields([
      ['election', name],
      ['state', led],
      ['candidates', String(state.candidates)],
    ]);
    for (const line of lines) ctx.io.out(line);
  },
};
