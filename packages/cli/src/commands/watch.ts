import type { QueueEvent } from '@baton/core';
import type { Command } from '../command.js';
import { compactJson } from '../format.js';
import { startDemoTraffic } from '../demo-traffic.js';
import { queueNames } from './known-queue.js';

/** One event as a line: time, type, and what it is about. */
export function describeEvent(event: QueueEvent): string {
  const time = new Date(event.at).toISOString().slice(11, 23);
  switch (event.type) {
    case 'enqueued':
    case 'active':
      return `${time}  ${event.type.padEnd(10)}${event.ids.join(' ')}`;
    case 'completed':
      return `${time}  ${'completed'.padEnd(10)}${event.id}${event.result === undefined ? '' : `  result ${compactJson(event.result)}`}`;
    case 'failed':
      return `${time}  ${'failed'.padEnd(10)}${event.id}  attempt ${event.attempt}${event.willRetry ? ', will retry' : ''}: ${event.error}`;
    case 'dead':
      return `${time}  ${'dead'.padEnd(10)}${event.id}  attempt ${event.attempt}: ${event.error}`;
    case 'cancelled':
      return `${time}  ${'cancelled'.padEnd(10)}${event.id}  (was ${event.from})${event.reason === undefined ? '' : `: ${event.reason}`}`;
    case 'progress':
      return `${time}  ${'progress'.padEnd(10)}${event.id}  ${compactJson(event.progress)}`;
    case 'reconnected':
      return `${time}  reconnected (events of the gap were missed)`;
  }
}

/** `baton watch <queue>`: prints the queue's events from every node as they happen, until Ctrl-C. */
export const watchCommand: Command = {
  name: 'watch',
  usage: '<queue>',
  summary: 'print the live events of a queue until Ctrl-C (--json: one JSON object per line)',
  positionals: { min: 1, max: 1 },
  read: true,
  flags: {},
  async run(ctx) {
    const backend = await ctx.backend();
    // A queue is watched before its first task as well (a deployment's first run, a new tenant),
    // so an unknown name is not refused here as it is by the commands that read what a queue holds;
    // the notice on stderr still shows a typo.
    const queue = backend.queue(ctx.args[0]!);
    const known = (await queueNames(backend))?.includes(queue.name);
    const stop = ctx.io.stopRequested();
    const unsubscribe = queue.watch((event) => ctx.io.out(ctx.json ? JSON.stringify(event) : describeEvent(event)));
    try {
      await unsubscribe.ready;
      // On stderr, so that stdout holds only events: a script can wait for this line.
      ctx.io.err(`watching queue "${queue.name}" on ${backend.kind}; Ctrl-C to stop`);
      if (known === false) ctx.io.err(`queue "${queue.name}" is not known yet: showing its events from its first enqueue`);
      const traffic = backend.kind === 'memory' ? startDemoTraffic(backend, queue.name) : undefined;
      try {
        await stop;
      } finally {
        await traffic?.stop();
      }
    } finally {
      unsubscribe();
    }
  },
};
