import type { EnqueueOptions } from '@baton/core';
import { UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { integerFlag } from './flags.js';

/** `baton enqueue <queue> <json>`: adds one task; `-` reads the payload from stdin. */
export const enqueueCommand: Command = {
  name: 'enqueue',
  usage: '<queue> <json|->',
  summary: 'add a task with a JSON payload ("-" reads it from stdin)',
  positionals: { min: 2, max: 2 },
  read: false,
  flags: {
    id: { type: 'string', help: '<id>  task id, for an idempotent enqueue (default: a random UUID)' },
    delay: { type: 'string', help: '<ms>  ready only after this many ms' },
    priority: { type: 'string', help: '<n>  higher is served sooner (default 0)' },
    json: { type: 'boolean', help: 'print the result as JSON' },
  },
  async run(ctx) {
    const [queueName, raw] = ctx.args as [string, string];
    const text = raw === '-' ? await ctx.io.readStdin() : raw;
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`the payload is not JSON (${(error as Error).message}); quote it for the shell, e.g. '{"to":"ada@example.com"}'`);
    }
    const options: EnqueueOptions = {};
    if (typeof ctx.flags.id === 'string') options.id = ctx.flags.id;
    const delay = integerFlag(ctx, 'delay', 0);
    if (delay !== undefined) options.delayMs = delay;
    const priority = integerFlag(ctx, 'priority', -Infinity);
    if (priority !== undefined) options.priority = priority;
    const backend = await ctx.backend();
    const result = await backend.queue(queueName).enqueue(payload, options);
    if (ctx.json) ctx.io.out(JSON.stringify(result));
    else ctx.io.out(`${result.status} ${result.id}`);
  },
};
