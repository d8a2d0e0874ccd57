import { BatonError, type BatonErrorCode } from './baton-error.js';

/** Thrown when an argument breaks a documented rule; the message names the argument and the rule. */
export class InvalidArgumentError extends BatonError {
  constructor(
    readonly argument: string,
    rule: string,
    code: BatonErrorCode = 'INVALID_ARGUMENT',
  ) {
    super(code, `Invalid argument "${argument}": ${rule}`);
  }
}

/** Thrown when a payload cannot be carried faithfully by JSON (undefined, functions, BigInt, cycles, NaN, …). */
export class SerializationError extends InvalidArgumentError {
  constructor(argument: string, rule: string) {
    super(argument, rule, 'SERIALIZATION');
  }
}

/**
 * Thrown by `queue.list` when its cursor is not one that `list` returned for the same state (made
 * up, cut short, or from another state's walk). Start the walk again without a cursor.
 */
export class InvalidCursorError extends InvalidArgumentError {
  constructor(argument: string, rule: string) {
    super(argument, `${rule}; give the cursor of the previous page of the same state, or none to start over`, 'INVALID_CURSOR');
  }
}
