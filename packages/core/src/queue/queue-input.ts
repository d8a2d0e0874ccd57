import { InvalidArgumentError } from '../errors/index.js';
import type { EnqueueOptions, Lease, TaskHeaders } from '../interfaces/index.js';
import { assertName, assertOptionsObject, copyHeaders, nonNegativeIntOr, priorityOr0, serializePayload } from '../validation/index.js';

/** A task checked and serialized by core, ready for an adapter to store. */
export interface PreparedTask {
  id: string;
  /** The payload as JSON text. */
  json: string;
  /** 0 for a ready task. */
  delayMs: number;
  /** An integer in [MIN_PRIORITY, MAX_PRIORITY]; 0 unless the enqueue gave one. */
  priority: number;
  /** Checked headers, a copy the store may keep; absent when none were given. */
  headers?: TaskHeaders;
}

/**
 * Makes `id` flat in place. crypto.randomUUID builds its text by
 * concatenation, a rope of ~14 nodes (~520 bytes) that a backend keeping the id (the memory queue
 * keeps every finished id for the retention window) would keep whole; reading a character makes
 * V8 copy the text into one flat string and drop the nodes (the rope's head stays, pointing at it).
 */
function flat(id: string): void {
  id.charCodeAt(0);
}

/** Validates and serializes one item of `enqueue`/`enqueueMany`; `newId` generates missing ids. */
export function prepareTask(
  argument: string,
  payload: unknown,
  options: EnqueueOptions | undefined,
  maxPayloadBytes: number,
  newId: () => string,
): PreparedTask {
  assertOptionsObject(`${argument}.options`, options);
  const id = options?.id === undefined ? newId() : options.id;
  assertName(`${argument}.id`, id);
  flat(id);
  const delayMs = nonNegativeIntOr(`${argument}.delayMs`, options?.delayMs, 0);
  const priority = priorityOr0(`${argument}.priority`, options?.priority);
  const headers = copyHeaders(`${argument}.headers`, options?.headers);
  const task: PreparedTask = { id, json: serializePayload(payload, maxPayloadBytes), delayMs, priority };
  if (headers !== undefined) task.headers = headers;
  return task;
}

/**
 * prepareTask for `items[index]` of enqueueMany (including its check that the item is an object).
 * An item with a payload only, the common case, skips the per-field checks, so no argument names
 * are built for it; any other item goes through prepareTask, with the same checks and errors.
 */
export function prepareItem(items: ReadonlyArray<unknown>, index: number, maxPayloadBytes: number, newId: () => string): PreparedTask {
  const item = items[index] as ({ payload?: unknown } & EnqueueOptions) | undefined;
  if (
    typeof item === 'object' &&
    item !== null &&
    !Array.isArray(item) &&
    item.id === undefined &&
    item.delayMs === undefined &&
    item.priority === undefined &&
    item.headers === undefined
  ) {
    return { id: newId(), json: serializePayload(item.payload, maxPayloadBytes), delayMs: 0, priority: 0 };
  }
  const argument = `items[${index}]`;
  assertOptionsObject(argument, item);
  if (item === undefined) throw new InvalidArgumentError(argument, 'must be an object');
  return prepareTask(argument, item.payload, item, maxPayloadBytes, newId);
}

/** Checks that `lease` looks like a lease this library handed out (id and token strings). */
export function assertLease(lease: unknown): asserts lease is Lease<unknown> {
  const l = lease as Partial<Lease<unknown>> | null;
  if (typeof l !== 'object' || l === null || typeof l.id !== 'string' || typeof l.token !== 'string') {
    throw new InvalidArgumentError('lease', 'must be a lease returned by dequeue (with id and token)');
  }
}

/** A readable message for any thrown value, Error or not, kept to 2,000 characters. */
export function errorMessage(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = error.message ? `${error.name}: ${error.message}` : error.name;
  else if (typeof error === 'string') text = error;
  else {
    try {
      text = JSON.stringify(error) ?? String(error);
    } catch {
      // A circular object without a prototype has neither JSON nor toString; recording the failure must not fail.
      try {
        text = String(error);
      } catch {
        text = Object.prototype.toString.call(error);
      }
    }
  }
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text;
}
