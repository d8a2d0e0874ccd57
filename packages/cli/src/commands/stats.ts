import type { Command } from '../command.js';
import { table } from '../format.js';
import { knownQueue } from './known-queue.js';

/** `baton stats <queue>`: counts of the queue's tasks by state. */
export const statsCommand: Command = {
  name: 'stats',
  usage: '<queue>',
  summary: "counts of a queue's tasks by state",
  positionals: { min: 1, max: 1 },
  read: true,
  flags: {},
  async run(ctx) {
    const queue = await knownQueue(ctx, ctx.args[0]!);
    const stats = await queue.stats();
    if (ctx.json) {
      ctx.io.out(JSON.stringify({ queue: queue.name, ...stats }));
      return;
    }
    const rows = Object.entries(stats).map(([state, count]) => [state, String(count)]);
    for (const line of table(['state', 'tasks'], rows)) ctx.io.out(line);
  },
};
