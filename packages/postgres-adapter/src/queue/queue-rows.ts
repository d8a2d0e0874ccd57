import type { Task, TaskHeaders, TaskOutcome } from '@baton/core';
import { readPayload } from './task-info.js';

/** A row of the claim statement (see QueueSql.claim). */
export interface ClaimRow {
  kind: 'c' | 'l' | 'n' | 'e' | 's' | 'w';
  id: string | null;
  payload: string | null;
  attempt: number | null;
  enqueued_at: string | null;
  token: string | null;
  last_error: string | null;
  priority: number | null;
  headers: string | null;
  deadline: string | null;
  n: string | null;
}

/** A row of the dead-letters statement. */
export interface TaskRow {
  id: string;
  payload: string;
  attempt: number;
  enqueued_at: string;
  last_error: string | null;
  priority: number;
  headers: string | null;
}

/** A row of the outcome statement. */
export interface OutcomeRow {
  state: number;
  result: string | null;
  last_error: string | null;
  cancel_reason: string | null;
}

/** A dead letter from its row. A payload that is not JSON comes back as its text. */
export function toDeadTask(row: TaskRow): Task<unknown> {
  const task: Task<unknown> = {
    id: row.id,
    payload: readPayload(row.payload),
    attempt: row.attempt,
    enqueuedAt: Number(row.enqueued_at),
    priority: row.priority,
  };
  if (row.last_error !== null) task.lastError = row.last_error;
  if (row.headers !== null) task.headers = JSON.parse(row.headers) as TaskHeaders;
  return task;
}

/** The outcome of an ended task from its row (state 2 dead, 3 finished, 4 cancelled). */
export function toOutcome(row: OutcomeRow): TaskOutcome {
  if (row.state === 2) return { state: 'dead', error: row.last_error ?? '' };
  if (row.state === 4) return { state: 'cancelled', reason: row.cancel_reason ?? undefined };
  return { state: 'finished', result: row.result === null ? undefined : (JSON.parse(row.result) as unknown) };
}
