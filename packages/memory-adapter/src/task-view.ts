import { InvalidCursorError, type TaskInfo, type TaskState } from '@baton/core';
import type { StorePage } from '@baton/core/adapter';
import type { FinishedMark } from './completion-log.js';
import type { TaskRecord } from './task-record.js';

/**
 * A task's place in its state's list order: two numbers compared in turn, then the id. Higher
 * priority and more recent ends come first, so those are negated. Positions name a place in the
 * order rather than an offset, so tasks leaving the state between pages shift nothing.
 */
type SortKey = [number, number, string];

/** The public view of what an id maps to (payloads, results and progress parsed afresh for the caller). */
export function toTaskInfo(id: string, entry: TaskRecord | FinishedMark): TaskInfo {
  if (entry.state === 'finished') {
    const info: TaskInfo = { id, state: 'finished', endedAt: entry.finishedAt };
    if (entry.result !== undefined) info.result = JSON.parse(entry.result);
    return info;
  }
  if (entry.state === 'cancelled') {
    const info: TaskInfo = { id, state: 'cancelled', endedAt: entry.finishedAt };
    if (entry.cancelReason !== undefined) info.reason = entry.cancelReason;
    return info;
  }
  const base = { id, payload: JSON.parse(entry.json) as unknown, attempt: entry.attempt, enqueuedAt: entry.enqueuedAt, priority: entry.priority };
  let info: TaskInfo;
  switch (entry.state) {
    case 'delayed':
      info = { ...base, state: 'delayed', dueAt: entry.dueAt };
      break;
    case 'active':
      info = { ...base, state: 'active', deadline: entry.deadline };
      if (entry.holder !== undefined) info.holder = entry.holder;
      break;
    case 'dead':
      info = { ...base, state: 'dead', lastError: entry.lastError ?? '', endedAt: entry.finishedAt };
      break;
    default:
      info = { ...base, state: 'waiting' };
  }
  if (entry.lastError !== undefined) info.lastError = entry.lastError;
  if (entry.headers !== undefined) info.headers = { ...entry.headers };
  if (entry.progress !== undefined) info.progress = JSON.parse(entry.progress);
  return info;
}

/**
 * One page of `entries` (all in `state`): the `limit` first after position `after`, in the
 * state's order. Sorts what lies after the position: O(n log n) per page, which suits an
 * in-process backend's sizes.
 */
export function pageOf(state: TaskState, entries: Iterable<[string, TaskRecord | FinishedMark]>, limit: number, after: string | undefined): StorePage {
  const from = after === undefined ? undefined : parsePosition(after);
  const rest: Array<{ key: SortKey; id: string; entry: TaskRecord | FinishedMark }> = [];
  for (const [id, entry] of entries) {
    const key = sortKey(state, id, entry);
    if (from === undefined || compare(key, from) > 0) rest.push({ key, id, entry });
  }
  rest.sort((a, b) => compare(a.key, b.key));
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  return {
    tasks: page.map(({ id, entry }) => toTaskInfo(id, entry)),
    next: rest.length > limit && last !== undefined ? JSON.stringify(last.key) : undefined,
  };
}

function sortKey(state: TaskState, id: string, entry: TaskRecord | FinishedMark): SortKey {
  if (entry.state === 'finished') return [-entry.finishedAt, 0, id];
  switch (state) {
    case 'waiting':
      return [-entry.priority, entry.seq, id];
    case 'delayed':
      return [entry.dueAt, 0, id];
    case 'active':
      return [entry.deadline, 0, id];
    default:
      return [-entry.finishedAt, 0, id];
  }
}

function compare(a: SortKey, b: SortKey): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

function parsePosition(text: string): SortKey {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length !== 3 || !Number.isFinite(value[0]) || !Number.isFinite(value[1]) || typeof value[2] !== 'string') {
    throw new InvalidCursorError('options.cursor', 'does not name a position in this queue');
  }
  return value as SortKey;
}
