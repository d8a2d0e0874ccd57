import { InvalidArgumentError } from '../errors/index.js';
import type { TaskHeaders } from '../interfaces/index.js';
import { MAX_NAME_LENGTH } from './arguments.js';

/** Lowest task priority accepted. */
export const MIN_PRIORITY = -1_000_000;

/** Highest task priority accepted. */
export const MAX_PRIORITY = 1_000_000;

/** Largest headers accepted on one task, in bytes of UTF-8 JSON. */
export const MAX_HEADERS_BYTES = 4_096;

/** Largest progress value accepted, in bytes of UTF-8 JSON. */
export const MAX_PROGRESS_BYTES = 65_536;

/** Returns `value` checked as a priority (an integer in [MIN_PRIORITY, MAX_PRIORITY]), or 0 when undefined. */
export function priorityOr0(argument: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_PRIORITY || value > MAX_PRIORITY) {
    throw new InvalidArgumentError(argument, `must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}, got ${String(value)}`);
  }
  return value;
}

/**
 * Checks task headers (a plain object of string values, keys 1–200 characters, at most
 * MAX_HEADERS_BYTES of JSON) and returns a copy the caller can keep; undefined when not given.
 */
export function copyHeaders(argument: string, value: unknown): TaskHeaders | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) {
    throw new InvalidArgumentError(argument, 'must be a plain object of strings when given');
  }
  const copy: TaskHeaders = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (key.length === 0 || key.length > MAX_NAME_LENGTH)
      throw new InvalidArgumentError(argument, `keys must be 1 to ${MAX_NAME_LENGTH} characters, got "${key.slice(0, 40)}"`);
    if (typeof entry !== 'string') throw new InvalidArgumentError(`${argument}.${key}`, `must be a string, got ${typeof entry}`);
    copy[key] = entry;
  }
  const bytes = Buffer.byteLength(JSON.stringify(copy), 'utf8');
  if (bytes > MAX_HEADERS_BYTES) throw new InvalidArgumentError(argument, `must serialize to at most ${MAX_HEADERS_BYTES} bytes of JSON, got ${bytes}`);
  return copy;
}
