import { TASK_STATES, type TaskInfo, type TaskState } from '@baton/core';
import { UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { compactJson, relative, table } from '../format.js';
import { integerFlag } from './flags.js';
import { knownQueue } from './known-queue.js';

/** The `--state` flag, checked against TASK_STATES. */
export function stateFlag(raw: string | boolean | undefined, fallback: TaskState | undefined): TaskState {
  const state = raw === undefined ? fallback : raw;
  if (typeof state !== 'string' || !(TASK_STATES as readonly string[]).includes(state)) {
    throw new UsageError(`--state must be one of ${TASK_STATES.join(', ')}${state === undefined ? '' : `, got "${String(state)}"`}`);
  }
  return state as TaskState;
}

/** The state-specific column of one task: when, and what matters about it in that state. */
function detail(task: TaskInfo, now: number): string {
  switch (task.state) {
    case 'waiting':
      return `enqueued ${relative(task.enqueuedAt, now)}  ${compactJson(task.payload)}`;
    case 'delayed':
      return `due ${relative(task.dueAt, now)}  ${compactJson(task.payload)}`;
    case 'active':
      return `lease ends ${relative(task.deadline, now)}${task.holder === undefined ? '' : ` (${task.holder})`}  ${compactJson(task.payload)}`;
    case 'dead':
      return `died ${relative(task.endedAt, now)}: ${task.lastError}`;
    case 'finished':
      return `finished ${relative(task.endedAt, now)}${task.result === undefined ? '' : `  result ${compactJson(task.result)}`}`;
    case 'cancelled':
      return `cancelled ${relative(task.endedAt, now)}${task.reason === undefined ? '' : `: ${task.reason}`}`;
  }
}

/** `baton tasks <queue>`: one page of the tasks in one state. */
export const tasksCommand: Command = {
  name: 'tasks',
  usage: '<queue>',
  summary: 'one page of the tasks in a state (--state, default waiting; --limit, --cursor)',
  positionals: { min: 1, max: 1 },
  read: true,
  flags: {
    state: { type: 'string', help: `<state>  ${TASK_STATES.join(', ')} (default waiting)` },
    limit: { type: 'string', help: '<n>  largest page, 1-1000 (default 20)' },
    cursor: { type: 'string', help: '<cursor>  the next page of the same state, as the previous page printed it' },
  },
  async run(ctx) {
    const state = stateFlag(ctx.flags.state, 'waiting');
    const limit = integerFlag(ctx, 'limit', 1) ?? 20;
    const queue = await knownQueue(ctx, ctx.args[0]!, true);
    const page = await queue.list(state, { limit, ...(typeof ctx.flags.cursor === 'string' ? { cursor: ctx.flags.cursor } : {}) });
    if (ctx.json) {
      ctx.io.out(JSON.stringify(page));
      return;
    }
    if (page.tasks.length === 0) ctx.io.out(`no ${state} tasks in queue "${queue.name}"`);
    else {
      const now = Date.now();
      const rows = page.tasks.map((t) => ('attempt' in t ? [t.id, String(t.attempt), String(t.priority), detail(t, now)] : [t.id, '', '', detail(t, now)]));
      for (const line of table(['id', 'attempt', 'priority', state], rows)) ctx.io.out(line);
    }
    if (page.cursor !== null) ctx.io.out(`next page: baton tasks ${queue.name} --state ${state} --limit ${limit} --cursor ${page.cursor}`);
  },
};
