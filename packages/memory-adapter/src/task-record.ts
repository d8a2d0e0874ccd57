import type { TaskHeaders } from '@baton/core';

/**
 * A task as stored while it is waiting, delayed, active, dead or cancelled (the last kept for
 * the retention of finished ids). The ready order, the delayed heap,
 * the active set and the dead-letter log hold the records themselves, so a record that left one of
 * them without being taken out (its state changed, or its id now maps to another record) is
 * recognised and skipped when reached.
 */
export interface TaskRecord {
  id: string;
  json: string;
  attempt: number;
  enqueuedAt: number;
  priority: number;
  headers: TaskHeaders | undefined;
  lastError: string | undefined;
  /** 'removed': taken out by remove, purge or a redrive (which maps the id to a fresh record); every list skips it. */
  state: 'waiting' | 'delayed' | 'active' | 'dead' | 'cancelled' | 'removed';
  /** The current delivery's token; '' while not leased. */
  token: string;
  /** The current lease's deadline (clock ms); meaningful while active. */
  deadline: number;
  /** Who holds the current lease (the lease call's `holder`); meaningful while active. */
  holder: string | undefined;
  /** When a delayed task becomes ready (clock ms); meaningful while delayed. */
  dueAt: number;
  /** Position in the ready order (see ReadyOrder); meaningful while waiting. */
  seq: number;
  /** The latest progress reported (JSON text), kept until the task ends. */
  progress: string | undefined;
  /** Clock time (ms) the task died or was cancelled; meaningful in those states. */
  finishedAt: number;
  /** The reason given to cancel, if any. */
  cancelReason: string | undefined;
}

/** A new record for an enqueued task, every field set so all records share one shape. */
export function newRecord(id: string, json: string, now: number, priority: number, headers: TaskHeaders | undefined): TaskRecord {
  return {
    id,
    json,
    attempt: 0,
    enqueuedAt: now,
    priority,
    headers,
    lastError: undefined,
    state: 'waiting',
    token: '',
    deadline: 0,
    holder: undefined,
    dueAt: 0,
    seq: 0,
    progress: undefined,
    finishedAt: 0,
    cancelReason: undefined,
  };
}
