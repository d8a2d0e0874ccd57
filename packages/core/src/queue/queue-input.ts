import { InvalidArgumentError } from '../errors/index.js';
import type { EnqueueOptions, Lease } from '../interfaces/index.js';
import { assertName, assertOptionsObject, nonNegativeIntOr, serializePayload } from '../validation/index.js';

/** A task checked and serialized by core, ready for an adapter to store. */
export interface PreparedTask {
  id: string;
  /** The payload as JSON text. */
  json: string;
  /** 0 for a ready task. */
  delayMs: number;
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
  const delayMs = nonNegativeIntOr(`${argument}.delayMs`, options?.delayMs, 0);
  return { id, json: serializePayload(payload, maxPayloadBytes), delayMs };
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
