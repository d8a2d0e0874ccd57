import { BackendDataError, BackendFullError, BackendUnavailableError, BatonError } from '@baton/core';

/**
 * Codes the Lua scripts return (the same names, in capitals, at the top of scripts/prelude.lua;
 * script-constants.redis.test.ts pins the two). A script's reply is read by its declaration's
 * decoder only, in the process that sent it, so changing a value is safe across versions.
 */
export enum ReplyCode {
  Revoked = -1,
  NotHeld = 0,
  Ok = 1,
  Queued = 10,
  Duplicate = 11,
  Finished = 12,
  Cancelled = 13,
  AlreadyCancelled = 14,
  Dead = 15,
  NotFound = 16,
  InLine = 20,
  HandedOver = 21,
  LimitMismatch = 22,
}

/** The error a script raises for a key of the wrong type (prelude.lua wrong_type); `?` where unknown. */
const WRONGTYPE_ERROR = /^BATON_WRONGTYPE expected=(\S+) actual=(\S+) key=(.*?)(?: script: [0-9a-f]{40}.*)?$/s;

// NOPERM names the command; inside a script Redis 7.0 only says the user "can't run this command".
const PERMISSION = /NOPERM|can't run this command/;

function describeType(type: string): string {
  return type === '?' ? 'a value of another type' : `a ${type}`;
}

/**
 * Maps anything a Redis call rejected with to a BatonError: a key of the wrong type becomes
 * BackendDataError naming the key; an out-of-memory refusal becomes BackendFullError; connection failures and refused commands become
 * BackendUnavailableError naming `address` (for a permission the user lacks, with the commands Baton needs). BatonErrors pass through unchanged.
 */
export function toBatonError(error: unknown, address: string): BatonError {
  if (error instanceof BatonError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const wrongType = WRONGTYPE_ERROR.exec(message);
  if (wrongType) {
    const [, expected, actual, key] = wrongType;
    const wanted = expected === '?' ? 'another type' : `a ${expected}`;
    return new BackendDataError(
      `Redis key "${key}" holds ${describeType(actual!)}, but Baton expects ${wanted} there. Another program wrote that key, ` +
        'or two structures are bound to the same name: bind a different key name or delete the key.',
      { cause: error },
    );
  }
  if (message.includes('WRONGTYPE')) {
    return new BackendDataError(`A Redis key holds a value of the wrong type (${message}); check the key names bound to this backend.`, { cause: error });
  }
  if (message.startsWith('OOM ') || message.includes('OOM command not allowed')) {
    // Scripts are refused at their first write, so the call changed nothing.
    return new BackendFullError(
      `Redis at ${address} is out of memory (maxmemory reached, policy noeviction) and refused the call, which changed nothing. ` +
        'Raise maxmemory, or free memory: drain or purge queues, shorten retainFinishedMs, prune dead letters.',
      { cause: error },
    );
  }
  if (PERMISSION.test(message)) {
    return new BackendUnavailableError(
      `Redis at ${address} refused a command to this user: ${message}. Baton needs its scripts (EVAL, EVALSHA) and the commands they ` +
        'run (TIME among them), PUBLISH and SUBSCRIBE: grant them, e.g. ACL SETUSER <user> +@read +@write +@keyspace +@scripting +@pubsub +@blocking +@connection +info +time.',
      { cause: error },
    );
  }
  return new BackendUnavailableError(`Redis at ${address} failed: ${message}`, { cause: error });
}
