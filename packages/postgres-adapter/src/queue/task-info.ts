import { InvalidCursorError, type TaskHeaders, type TaskInfo, type TaskState } from '@baton/core';

/** A row of the `get` and `list` statements (see admin-sql.ts); bigint columns come as text. */
export interface TaskInfoRow {
  id: string;
  state: number;
  priority: number;
  run_at: string;
  seq: string;
  attempt: number;
  enqueued_at: string;
  payload: string;
  headers: string | null;
  deadline: string | null;
  holder: string | null;
  last_error: string | null;
  dead_at: string | null;
  ended_at: string | null;
  result: string | null;
  progress: string | null;
  cancel_reason: string | null;
  /** The database's time of the statement (ms). */
  now: string;
}

/** The public view of a row: payloads, results and progress parsed (a payload that is not JSON comes back as its text). */
export function toTaskInfo(row: TaskInfoRow): TaskInfo {
  if (row.state === 3) {
    const info: TaskInfo = { id: row.id, state: 'finished', endedAt: Number(row.ended_at) };
    if (row.result !== null) info.result = JSON.parse(row.result) as unknown;
    return info;
  }
  if (row.state === 4) {
    const info: TaskInfo = { id: row.id, state: 'cancelled', endedAt: Number(row.ended_at) };
    if (row.cancel_reason !== null) info.reason = row.cancel_reason;
    return info;
  }
  const base = { id: row.id, payload: readPayload(row.payload), attempt: row.attempt, enqueuedAt: Number(row.enqueued_at), priority: row.priority };
  let info: TaskInfo;
  if (row.state === 1) {
    info = { ...base, state: 'active', deadline: Number(row.deadline) };
    if (row.holder !== null) info.holder = row.holder;
  } else if (row.state === 2) {
    info = { ...base, state: 'dead', lastError: row.last_error ?? '', endedAt: Number(row.dead_at) };
  } else if (Number(row.run_at) > Number(row.now)) {
    info = { ...base, state: 'delayed', dueAt: Number(row.run_at) };
  } else {
    info = { ...base, state: 'waiting' };
  }
  if (row.last_error !== null) info.lastError = row.last_error;
  if (row.headers !== null) info.headers = JSON.parse(row.headers) as TaskHeaders;
  if (row.progress !== null) info.progress = JSON.parse(row.progress) as unknown;
  return info;
}

/**
 * A row's place in its state's page order, as the store position `list` hands back: the sort
 * keys of that order as JSON (waiting: priority, run_at, seq; delayed: run_at, id; active:
 * deadline, id; dead: dead_at, id; finished and cancelled: ended_at, id).
 */
export function positionOf(state: TaskState, row: TaskInfoRow): string {
  switch (state) {
    case 'waiting':
      return JSON.stringify([row.priority, Number(row.run_at), Number(row.seq)]);
    case 'delayed':
      return JSON.stringify([Number(row.run_at), row.id]);
    case 'active':
      return JSON.stringify([Number(row.deadline), row.id]);
    case 'dead':
      return JSON.stringify([Number(row.dead_at), row.id]);
    default:
      return JSON.stringify([Number(row.ended_at), row.id]);
  }
}

/** The statement parameters ($3…) of a position `positionOf` made for `state`; NULLs for the first page. InvalidCursorError otherwise. */
export function positionParams(state: TaskState, position: string | undefined): unknown[] {
  if (position === undefined) return state === 'waiting' ? [null, null, null] : [null, null];
  let value: unknown;
  try {
    value = JSON.parse(position);
  } catch {
    value = undefined;
  }
  const integer = (v: unknown): boolean => Number.isSafeInteger(v);
  const ok =
    Array.isArray(value) &&
    (state === 'waiting' ? value.length === 3 && value.every(integer) : value.length === 2 && integer(value[0]) && typeof value[1] === 'string');
  if (!ok) throw new InvalidCursorError('options.cursor', 'does not name a position in this queue');
  return value as unknown[];
}

/** Reads a stored payload; text that is not JSON comes back as the text itself. */
export function readPayload(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
