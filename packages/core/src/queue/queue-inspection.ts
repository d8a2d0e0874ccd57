import { InvalidArgumentError, InvalidCursorError, NotSupportedError } from '../errors/index.js';
import { TASK_STATES, type ListOptions, type PurgeableState, type RetryDeadTarget, type TaskInfo, type TaskPage, type TaskState } from '../interfaces/index.js';
import { assertName, assertOptionsObject, positiveIntOr } from '../validation/index.js';
import { MAX_BATCH } from './queue-options.js';
import type { QueueStore } from './queue-store.js';

/** Largest page `queue.list` returns. */
export const MAX_LIST_LIMIT = 1_000;

/** Most tasks one atomic step of `purge` or `retryDead({ all: true })` moves or removes. */
export const PURGE_BATCH = 1_000;

/** Default page size of `queue.list`. */
const DEFAULT_LIST_LIMIT = 100;

/** Checks a TaskState argument; InvalidArgumentError naming the states otherwise. */
export function assertTaskState(argument: string, value: unknown): asserts value is TaskState {
  if (typeof value !== 'string' || !(TASK_STATES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(argument, `must be one of ${TASK_STATES.join(', ')}, got ${describe(value)}`);
  }
}

/**
 * A cursor is the store's position tagged with the state it belongs to, base64url-encoded: opaque
 * to users, and checked here so a cursor of another state's walk is refused before a store sees it.
 */
export function encodeCursor(state: TaskState, position: string): string {
  return Buffer.from(`${state}\n${position}`, 'utf8').toString('base64url');
}

/** The store position inside `cursor`; InvalidCursorError when it is not a cursor of `state`. */
export function decodeCursor(state: TaskState, cursor: unknown): string {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 2_000 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidCursorError('options.cursor', 'is not a cursor returned by queue.list');
  }
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const cut = text.indexOf('\n');
  if (cut < 0 || cut === text.length - 1) throw new InvalidCursorError('options.cursor', 'is not a cursor returned by queue.list');
  const of = text.slice(0, cut);
  if (of !== state)
    throw new InvalidCursorError(
      'options.cursor',
      `belongs to a walk of ${(TASK_STATES as readonly string[]).includes(of) ? of : 'no known state'}, not ${state}`,
    );
  return text.slice(cut + 1);
}

/** Queue.list over `store`: checks, cursor wrapping, priority 0 for stores without priorities. */
export async function listTasks(store: QueueStore, state: unknown, options: ListOptions | undefined): Promise<TaskPage> {
  assertTaskState('state', state);
  assertOptionsObject('options', options);
  const limit = positiveIntOr('options.limit', options?.limit, DEFAULT_LIST_LIMIT);
  if (limit > MAX_LIST_LIMIT) throw new InvalidArgumentError('options.limit', `must be at most ${MAX_LIST_LIMIT}, got ${limit}`);
  const after = options?.cursor === undefined ? undefined : decodeCursor(state, options.cursor);
  if (store.list === undefined) throw new NotSupportedError('queue.list', 'inspection');
  const page = await store.list(state, limit, after);
  for (const task of page.tasks) withoutPriority(store, task);
  return { tasks: page.tasks, cursor: page.next === undefined ? null : encodeCursor(state, page.next) };
}

/** Queue.get over `store`. */
export async function getTask(store: QueueStore, id: unknown): Promise<TaskInfo | undefined> {
  assertName('id', id);
  if (store.get === undefined) throw new NotSupportedError('queue.get', 'inspection');
  const task = await store.get(id);
  return task === undefined ? undefined : withoutPriority(store, task);
}

/**
 * Queue.retryDead over `store`: the given ids in one step, or every dead letter in batches of
 * PURGE_BATCH. The batches stop once as many as were dead at the start were moved, so tasks that
 * die again as fast as they are redriven cannot keep the call going.
 */
export async function retryDeadTasks(store: QueueStore, target: RetryDeadTarget): Promise<number> {
  const all = isAll(target);
  if (!all) {
    if (!Array.isArray(target)) throw new InvalidArgumentError('target', 'must be an array of task ids or { all: true }');
    if (target.length > MAX_BATCH) throw new InvalidArgumentError('target', `must hold at most ${MAX_BATCH} ids, got ${target.length}`);
    target.forEach((id, i) => assertName(`target[${i}]`, id));
  }
  const { retryDead } = store;
  if (retryDead === undefined) throw new NotSupportedError('queue.retryDead', 'inspection');
  if (!all) {
    const ids = [...new Set(target)];
    return ids.length === 0 ? 0 : retryDead.call(store, ids, ids.length);
  }
  const atStart = (await store.stats()).dead;
  let moved = 0;
  while (moved < atStart) {
    const n = await retryDead.call(store, undefined, Math.min(PURGE_BATCH, atStart - moved));
    moved += n;
    if (n === 0) break;
  }
  return moved;
}

/** Queue.purge over `store`: batches of PURGE_BATCH until one removes fewer. */
export async function purgeTasks(store: QueueStore, state: unknown): Promise<number> {
  assertTaskState('state', state);
  if (state === 'active') throw new InvalidArgumentError('state', 'cannot be active: leased tasks are not purged (cancel them)');
  const { purge } = store;
  if (purge === undefined) throw new NotSupportedError('queue.purge', 'inspection');
  let removed = 0;
  for (;;) {
    const n = await purge.call(store, state as PurgeableState, PURGE_BATCH);
    removed += n;
    if (n < PURGE_BATCH) return removed;
  }
}

function isAll(target: unknown): target is { all: true } {
  return typeof target === 'object' && target !== null && !Array.isArray(target) && (target as { all?: unknown }).all === true;
}

// A store without priorities reports none; the contract says 0 then.
function withoutPriority(store: QueueStore, task: TaskInfo): TaskInfo {
  if (!store.supports?.priorities && 'priority' in task) task.priority = 0;
  return task;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 50)) : typeof value;
}
