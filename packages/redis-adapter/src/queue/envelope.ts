import { BackendDataError, type Task } from '@baton/core';

/**
 * A task as stored in Redis: `{"baton":1,"id":…,"payload":"<payload JSON text>","attempt":n,
 * "enqueuedAt":ms[,"lastError":…]}`. The payload travels as a string so Lua never re-encodes it
 * (cjson would round numbers and turn [] into {}). Any list element not starting with
 * `{"baton":1,` is a raw task whose id and payload are the element itself.
 */
export interface Envelope {
  baton: 1;
  id: string;
  payload: string;
  attempt: number;
  enqueuedAt: number;
  lastError?: string;
}

/** The stored form of a new task. */
export function encodeEnvelope(id: string, json: string, enqueuedAt: number): string {
  return JSON.stringify({ baton: 1, id, payload: json, attempt: 0, enqueuedAt } satisfies Envelope);
}

/** Reads an envelope the scripts wrote; throws BackendDataError when it is not one. */
export function decodeEnvelope<T>(text: string, where: string): Task<T> {
  let env: Envelope;
  try {
    env = JSON.parse(text) as Envelope;
  } catch (cause) {
    throw new BackendDataError(`A task in ${where} is not valid JSON.`, { cause });
  }
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
  const task: Task<T> = { id: env.id, payload, attempt: Number(env.attempt), enqueuedAt: Number(env.enqueuedAt) };
  if (typeof env.lastError === 'string') task.lastError = env.lastError;
  return task;
}
