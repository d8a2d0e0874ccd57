import type { PurgeableState } from '@baton/core';
import { CliError, NotFoundError, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { confirm, YES_FLAG } from '../confirm.js';
import { EXIT } from '../exit-codes.js';
import { knownQueue } from './known-queue.js';
import { stateFlag } from './tasks.js';

/** `baton retry <queue> <id…> | --all`: redrives dead letters with a fresh attempt count. */
export const retryCommand: Command = {
  name: 'retry',
  usage: '<queue> [id...]',
  summary: 'redrive dead letters (the ids given, or --all) with a fresh attempt count',
  positionals: { min: 1, max: Infinity },
  read: false,
  flags: { all: { type: 'boolean', help: 'every dead letter of the queue' }, json: { type: 'boolean', help: 'print the count as JSON' } },
  async run(ctx) {
    const [queueName, ...ids] = ctx.args as [string, ...string[]];
    const all = ctx.flags.all === true;
    if (all === ids.length > 0) throw new UsageError('give the ids of the dead letters to retry, or --all (not both)');
    const queue = await knownQueue(ctx, queueName, true);
    const redriven = await queue.retryDead(all ? { all: true } : ids);
    if (!all && redriven === 0) throw new NotFoundError(`none of the ids is a dead letter of queue "${queueName}"`);
    if (ctx.json) ctx.io.out(JSON.stringify({ queue: queueName, redriven }));
    else ctx.io.out(all || redriven === ids.length ? `redriven ${redriven}` : `redriven ${redriven} of ${ids.length} (the others are not dead letters)`);
  },
};

/** `baton remove <queue> <id>`: forgets one task in any state but active. Destructive: confirmed. */
export const removeCommand: Command = {
  name: 'remove',
  usage: '<queue> <id>',
  summary: 'forget one task (waiting, delayed, dead, finished or cancelled); asks first',
  positionals: { min: 2, max: 2 },
  read: false,
  flags: { ...YES_FLAG },
  async run(ctx) {
    const [queueName, id] = ctx.args as [string, string];
    const queue = await knownQueue(ctx, queueName, true);
    await confirm(ctx, `Remove task "${id}" from queue "${queueName}"?`);
    const result = await queue.remove(id);
    if (result === 'not-found') throw new NotFoundError(`no task "${id}" in queue "${queueName}"`);
    if (result === 'active') throw new CliError(EXIT.usage, `task "${id}" is active: nothing changed; cancel it instead`);
    ctx.io.out(`removed ${id}`);
  },
};

/** `baton purge <queue> --state <state>`: removes every task in one state. Destructive: confirmed. */
export const purgeCommand: Command = {
  name: 'purge',
  usage: '<queue> --state <state>',
  summary: 'remove every task in a state (not active); asks first',
  positionals: { min: 1, max: 1 },
  read: false,
  flags: { state: { type: 'string', help: '<state>  waiting, delayed, finished, dead or cancelled (required)' }, ...YES_FLAG },
  async run(ctx) {
    const queueName = ctx.args[0]!;
    const state = stateFlag(ctx.flags.state, undefined);
    if (state === 'active') throw new UsageError('--state active cannot be purged: cancel active tasks instead');
    const queue = await knownQueue(ctx, queueName, true);
    const stats = await queue.stats();
    const count = state in stats ? ` (${stats[state as keyof typeof stats]} now)` : '';
    await confirm(ctx, `Remove every ${state} task of queue "${queueName}"${count}?`);
    const removed = await queue.purge(state as PurgeableState);
    ctx.io.out(`purged ${removed} ${state} task${removed === 1 ? '' : 's'}`);
  },
};

/** `baton pause|resume <queue>`: stops or restarts leasing on every node. */
function pauseCommand(name: 'pause' | 'resume'): Command {
  return {
    name,
    usage: '<queue>',
    summary: name === 'pause' ? 'stop leasing on every node (producers keep enqueueing)' : 'let leasing go on after pause',
    positionals: { min: 1, max: 1 },
    read: false,
    flags: {},
    async run(ctx) {
      const queue = await knownQueue(ctx, ctx.args[0]!, true);
      if (name === 'pause') await queue.pause();
      else await queue.resume();
      ctx.io.out(`${name === 'pause' ? 'paused' : 'resumed'} ${queue.name}`);
    },
  };
}

/** `baton pause <queue>`. */
export const pauseQueueCommand = pauseCommand('pause');
/** `baton resume <queue>`. */
export const resumeQueueCommand = pauseCommand('resume');
