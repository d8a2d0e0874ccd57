import { NotFoundError } from '../cli-error.js';
import type { Command } from '../command.js';
import { iso, relative } from '../format.js';
import { knownQueue } from './known-queue.js';

/** Field names whose values are clock times (ms), shown as a date and how long ago. */
const TIMES = new Set(['enqueuedAt', 'dueAt', 'deadline', 'endedAt']);

/** `baton task <queue> <id>`: everything the queue knows about one task. */
export const taskCommand: Command = {
  name: 'task',
  usage: '<queue> <id>',
  summary: 'one task: state, attempts, times, last error, payload, result, lease holder',
  positionals: { min: 2, max: 2 },
  read: true,
  flags: {},
  async run(ctx) {
    const [queueName, id] = ctx.args as [string, string];
    const queue = await knownQueue(ctx, queueName, true);
    const task = await queue.get(id);
    if (task === undefined) throw new NotFoundError(`no task "${id}" in queue "${queueName}" (unknown, or its end was forgotten)`);
    if (ctx.json) {
      ctx.io.out(JSON.stringify(task));
      return;
    }
    const now = Date.now();
    const entries = Object.entries(task).filter(([key]) => key !== 'payload');
    const width = Math.max(...entries.map(([key]) => key.length), 'payload'.length);
    for (const [key, value] of entries) {
      const shown =
        TIMES.has(key) && typeof value === 'number' ? `${iso(value)} (${relative(value, now)})` : typeof value === 'string' ? value : JSON.stringify(value);
      ctx.io.out(`${key.padEnd(width)}  ${shown}`);
    }
    if ('payload' in task) {
      const lines = JSON.stringify(task.payload, null, 2).split('\n');
      ctx.io.out(`${'payload'.padEnd(width)}  ${lines[0]}`);
      for (const line of lines.slice(1)) ctx.io.out(`${' '.repeat(width)}  ${line}`);
    }
  },
};
