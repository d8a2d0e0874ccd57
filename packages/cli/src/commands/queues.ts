import { isBatonError } from '@baton/core';
import type { Command } from '../command.js';
import { table } from '../format.js';

/** `queue.isPaused()`, or undefined on a backend without the `pause` capability. */
async function pausedOrUnknown(isPaused: () => Promise<boolean>): Promise<boolean | undefined> {
  try {
    return await isPaused();
  } catch (error) {
    if (isBatonError(error, 'NOT_SUPPORTED')) return undefined;
    throw error;
  }
}

/** `baton queues`: every queue the backend knows, with its counts by state and whether it is paused. */
export const queuesCommand: Command = {
  name: 'queues',
  usage: '',
  summary: 'the known queues with their counts by state and whether they are paused',
  positionals: { min: 0, max: 0 },
  read: true,
  flags: {},
  async run(ctx) {
    const backend = await ctx.backend();
    const names = await backend.queues();
    const rows = await Promise.all(
      names.map(async (name) => {
        const queue = backend.queue(name);
        const [stats, paused] = await Promise.all([queue.stats(), pausedOrUnknown(() => queue.isPaused())]);
        return { queue: name, ...stats, ...(paused === undefined ? {} : { paused }) };
      }),
    );
    if (ctx.json) {
      ctx.io.out(JSON.stringify(rows));
      return;
    }
    if (rows.length === 0) {
      ctx.io.out('no queues yet (a queue is known from its first enqueue or worker)');
      return;
    }
    const cells = rows.map((r) => [
      r.queue,
      String(r.waiting),
      String(r.active),
      String(r.delayed),
      String(r.dead),
      r.paused === undefined ? '?' : r.paused ? 'yes' : 'no',
    ]);
    for (const line of table(['queue', 'waiting', 'active', 'delayed', 'dead', 'paused'], cells)) ctx.io.out(line);
  },
};
