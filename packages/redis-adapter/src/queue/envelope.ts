import { BackendDataError, type Task, type TaskHeaders } from '@baton/core';
import type { PreparedTask } from '@baton/core/adapter';

/**
 * A task as stored in Redis: `{"baton":1,"id":…,"payload":"<payload JSON text>","attempt":n,
 * "enqueuedAt":ms[,"priority":p][,"headers":"<headers JSON text>"][,"lastError":…]}`, fields in
 * that order (prelude.lua envelope writes the same). The payload and headers travel as strings so
 * Lua never re-encodes them (cjson would round numbers and turn [] into {}). Priority 0 and absent
 * headers are left out, so a plain task is stored as before priorities existed. Any list element
 * not starting with `{"baton":1,` is a raw task of priority 0 whose id and payload are the element.
 */
export interface Envelope {
  baton: 1;
  id: string;
  payload: string;
  attempt: number;
  enqueuedAt: number;
  priority?: number;
  headers?: string;
  lastError?: string;
  /** A delayed task's due time as its producer saw it (ms, its clock; reported by get, never compared). */
  dueAt?: number;
}

/** The stored form of a new task (a delayed one carries its due time as this node sees it). */
export function encodeEnvelope(task: PreparedTask, enqueuedAt: number): string {
  const env: Envelope = { baton: 1, id: task.id, payload: task.json, attempt: 0, enqueuedAt };
  if (task.priority !== 0) env.priority = task.priority;
  if (task.headers !== undefined) env.headers = JSON.stringify(task.headers);
  if (task.delayMs > 0) env.dueAt = enqueuedAt + task.delayMs;
  return JSON.stringify(env);
}

/** How the envelope of task `id` starts as encodeEnvelope writes it (scripts find a task's element by it). */
export function envelopeHead(id: string): string {
  return `{"baton":1,"id":${JSON.stringify(id)},`;
}

/** A task that enqueueTasks leased to a blocked worker, as that worker receives it. */
export interface Delivery<T> {
  task: Task<T>;
  token: string;
  /** Lease deadline (ms). */
  deadline: number;
}

/** How every delivery starts (prelude.lua DELIVERY_HEAD); script-constants.redis.test.ts pins the two. */
export const DELIVERY_HEAD = '{"baton":1,"lease":';

/** True when a list element is a delivery (an envelope with its lease in front). */
export function isDelivery(text: string): boolean {
  return text.startsWith(DELIVERY_HEAD);
}

/** Reads a delivery; throws BackendDataError when it is not one. */
export function decodeDelivery<T>(text: string, where: string): Delivery<T> {
  const parsed = parse(text, where) as Envelope & { lease?: unknown; deadline?: unknown };
  const { lease, deadline } = parsed;
  if (typeof lease !== 'string' || typeof deadline !== 'number') throw new BackendDataError(`A delivery in ${where} has no lease token or deadline.`);
  return { task: toTask<T>(parsed, where), token: lease, deadline };
}

/** Reads an envelope the scripts wrote; throws BackendDataError when it is not one. */
export function decodeEnvelope<T>(text: string, where: string): Task<T> {
  return toTask<T>(parse(text, where), where);
}

function parse(text: string, where: string): Envelope {
  try {
    return JSON.parse(text) as Envelope;
  } catch (cause) {
    throw new BackendDataError(`A task in ${where} is not valid JSON.`, { cause });
  }
}

function toTask<T>(env: Envelope, where: string): Task<T> {
  if (typeof env !== 'object' || env === null || typeof env.id !== 'string' || typeof env.payload !== 'string') {
    throw new BackendDataError(`A task in ${where} is not a Baton envelope.`);
  }
  let payload: T;
  try {
    payload = JSON.parse(env.payload) as T;
  } catch {
    // dead letters of corrupt elements carry the element text as payload
    payload = env.payload as T;
  }
  const priority = typeof env.priority === 'number' ? env.priority : 0;
  const task: Task<T> = { id: env.id, payload, attempt: Number(env.attempt), enqueuedAt: Number(env.enqueuedAt), priority };
  if (typeof env.headers === 'string') task.headers = parseHeaders(env.headers, where);
  if (typeof env.lastError === 'string') task.lastError = env.lastError;
  return task;
}

function parseHeaders(text: string, where: string): TaskHeaders {
  try {
    return JSON.parse(text) as TaskHeaders;
  } catch (cause) {
    throw new BackendDataError(`A task in ${where} has headers that are not valid JSON.`, { cause });
  }
}
