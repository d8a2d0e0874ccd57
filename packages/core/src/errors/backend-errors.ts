import { BatonError } from './baton-error.js';

/** Thrown when the backend cannot be reached (connection refused, timed out) or refuses a command. */
export class BackendUnavailableError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BACKEND_UNAVAILABLE', message, options);
  }
}

/**
 * Thrown when the backend refuses a write because it is out of memory (Redis at `maxmemory` under
 * the `noeviction` policy). The call changed nothing; raise the memory limit or free memory
 * (drain or purge queues, shorten `retainFinishedMs`), then retry.
 */
export class BackendFullError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BACKEND_FULL', message, options);
  }
}

/**
 * Thrown by every call of a backend created with `requireNoEviction: true` when the server may
 * delete Baton's keys to make room (a `maxmemory-policy` other than `noeviction`), or when the
 * policy cannot be read. Nothing was written.
 */
export class UnsafeEvictionPolicyError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNSAFE_EVICTION_POLICY', message, options);
  }
}

/** Thrown when stored data is not what Baton wrote (a key of the wrong type, a corrupt record). */
export class BackendDataError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BACKEND_DATA', message, options);
  }
}

/** Thrown by any call on a backend, queue, lock manager or scheduler after it was closed. */
export class ClosedError extends BatonError {
  constructor(what: string) {
    super('CLOSED', `${what} is closed; create a new one to continue.`);
  }
}

/** Thrown into a task's signal when the handler ran past its `timeoutMs`. */
export class TaskTimeoutError extends BatonError {
  constructor(
    readonly taskId: string,
    readonly timeoutMs: number,
  ) {
    super('TASK_TIMEOUT', `Task "${taskId}" ran longer than its timeout of ${timeoutMs} ms.`);
  }
}

/**
 * Thrown when a backend lacks an optional capability (priorities, results, cancellation, events,
 * inspection, …): its store does not implement the operation. Nothing was changed.
 */
export class NotSupportedError extends BatonError {
  constructor(
    /** The operation or option that is not supported, e.g. 'queue.cancel' or 'options.priority'. */
    readonly operation: string,
    /** The capability it belongs to, as named in the conformance suite (e.g. 'cancel'). */
    readonly capability: string,
  ) {
    super('NOT_SUPPORTED', `${operation} is not supported by this backend (it lacks the "${capability}" capability); use a backend that has it.`);
  }
}
