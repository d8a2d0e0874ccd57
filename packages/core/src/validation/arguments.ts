import { InvalidArgumentError } from '../errors/index.js';

/** Longest queue, group, resource, node or task id accepted, in characters. */
export const MAX_NAME_LENGTH = 200;

/** Checks a name or id: a string of 1–200 characters. Throws InvalidArgumentError naming `argument`. */
export function assertName(argument: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new InvalidArgumentError(argument, `must be a string, got ${typeof value}`);
  if (value.length === 0) throw new InvalidArgumentError(argument, 'must not be empty');
  if (value.length > MAX_NAME_LENGTH) {
    throw new InvalidArgumentError(argument, `must be at most ${MAX_NAME_LENGTH} characters, got ${value.length}`);
  }
}

/** Checks a duration or count that must be a finite integer >= 1 (TTLs, timeouts, batch sizes). */
export function assertPositiveInt(argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(argument, `must be a finite integer >= 1, got ${String(value)}`);
  }
}

/** Checks a duration that must be a finite integer >= 0 (waits, delays). */
export function assertNonNegativeInt(argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(argument, `must be a finite integer >= 0, got ${String(value)}`);
  }
}

/** Returns `value` checked as a positive integer, or `fallback` when undefined. */
export function positiveIntOr(argument: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  assertPositiveInt(argument, value);
  return value;
}

/** Returns `value` checked as a non-negative integer, or `fallback` when undefined. */
export function nonNegativeIntOr(argument: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  assertNonNegativeInt(argument, value);
  return value;
}

/** Checks that `value` is a plain object (or undefined) before its fields are read. */
export function assertOptionsObject(argument: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new InvalidArgumentError(argument, 'must be an object when given');
  }
}
