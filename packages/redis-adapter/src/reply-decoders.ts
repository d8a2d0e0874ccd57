import { BackendDataError } from '@baton/core';
import { ReplyCode } from './reply-codes.js';

/** The reply as an array; throws BackendDataError naming the script when it is not one. */
export function arrayReply(reply: unknown, script: string): unknown[] {
  if (!Array.isArray(reply)) throw new BackendDataError(`Redis script ${script} replied ${typeof reply} where an array was expected.`);
  return reply;
}

/** A numeric reply (Redis integers, or numbers as text). */
export function numberReply(reply: unknown): number {
  return Number(reply);
}

/** The reply code of a script as a boolean: true for Ok, false for NotHeld (or anything else). */
export function heldReply(reply: unknown): boolean {
  return Number(reply) === ReplyCode.Ok;
}
