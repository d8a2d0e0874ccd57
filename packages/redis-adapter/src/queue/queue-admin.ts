import type { PurgeableState, RemoveResult, TaskInfo, TaskState } from '@baton/core';
import type { ResolvedQueueOptions, StorePage } from '@baton/core/adapter';
import type { BackendContext } from '../backend-context.js';
import type { QueueKeys } from '../key-layout.js';
import { listTasks, purgeTasks, readTask, removeTask, retryDead } from './queue-scripts.js';
import { parsePosition, positionAfter, toTaskInfo } from './task-info.js';

// The inspection and admin steps of one queue (one shard), each one script call; RedisQueueStore
// and ShardedQueueStore call them.

/** What the inspection steps need of a queue: its backend, keys and resolved options. */
export interface QueueAccess {
  readonly ctx: BackendContext;
  readonly keys: QueueKeys;
  readonly options: ResolvedQueueOptions;
}

/** See QueueStore.get: one read-only script call, O(1). */
export async function getTask(q: QueueAccess, id: string): Promise<TaskInfo | undefined> {
  const reply = await q.ctx.runner.run(readTask, q.keys, { id, retainMs: q.options.retainFinishedMs });
  return reply === undefined ? undefined : toTaskInfo(reply.state, reply.a, reply.b, reply.c, q.keys.ids);
}

/** See QueueStore.list: one read-only script call per page (limit + 1 read, to know whether more follow). */
export async function listPage(q: QueueAccess, state: TaskState, limit: number, after: string | undefined): Promise<StorePage> {
  const position = after === undefined ? undefined : parsePosition(state, after);
  const args = {
    state,
    want: limit + 1,
    segment: position?.segment ?? '',
    score: position?.score ?? 0,
    retainMs: q.options.retainFinishedMs,
  };
  const texts = await q.ctx.runner.run(listTasks, q.keys, args, position?.anchors ?? []);
  const page: Array<{ info: TaskInfo; id: string; b: string }> = [];
  for (let i = 0; i + 2 < texts.length && page.length < limit; i += 3) {
    const info = toTaskInfo(state, texts[i]!, texts[i + 1]!, texts[i + 2]!, q.keys.ids);
    page.push({ info, id: info.id, b: texts[i + 1]! });
  }
  const more = texts.length / 3 > limit;
  return { tasks: page.map((t) => t.info), next: more ? positionAfter(state, page) : undefined };
}

/** See QueueStore.retryDead: one script call (ids: those of them that are dead; none: the oldest). */
export function redrive(q: QueueAccess, ids: readonly string[] | undefined, max: number): Promise<number> {
  return q.ctx.runner.run(retryDead, q.keys, { max, dueChannel: q.keys.dueChannel }, ids ?? []);
}

/** See QueueStore.remove: one script call. */
export function remove(q: QueueAccess, id: string): Promise<RemoveResult> {
  return q.ctx.runner.run(removeTask, q.keys, { id });
}

/** See QueueStore.purge: one script call of at most `max` removals. */
export function purge(q: QueueAccess, state: PurgeableState, max: number): Promise<number> {
  return q.ctx.runner.run(purgeTasks, q.keys, { state, max });
}
