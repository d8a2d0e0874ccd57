import { describe, expect, it } from 'vitest';
import {
  BackendDataError,
  BackendUnavailableError,
  BatonError,
  ClosedError,
  ConditionTimeoutError,
  InvalidArgumentError,
  InvalidCursorError,
  LockLostError,
  LockTimeoutError,
  SerializationError,
  TaskTimeoutError,
  NotSupportedError,
  TaskCancelledError,
  WaitTimeoutError,
  isBatonError,
} from '../src/index.js';

describe('errors', () => {
  it('every error is a BatonError with a stable code and its own name', () => {
    const cases: Array<[BatonError, string, string]> = [
      [new LockTimeoutError('r', 5), 'LOCK_TIMEOUT', 'LockTimeoutError'],
      [new LockLostError('r', 'expired'), 'LOCK_LOST', 'LockLostError'],
      [new InvalidArgumentError('x', 'must be y'), 'INVALID_ARGUMENT', 'InvalidArgumentError'],
      [new SerializationError('payload', 'is NaN'), 'SERIALIZATION', 'SerializationError'],
      [new BackendUnavailableError('down'), 'BACKEND_UNAVAILABLE', 'BackendUnavailableError'],
      [new BackendDataError('bad'), 'BACKEND_DATA', 'BackendDataError'],
      [new ClosedError('Backend'), 'CLOSED', 'ClosedError'],
      [new TaskTimeoutError('t', 10), 'TASK_TIMEOUT', 'TaskTimeoutError'],
      [new ConditionTimeoutError('three mails', 10, ''), 'CONDITION_TIMEOUT', 'ConditionTimeoutError'],
      [new NotSupportedError('queue.cancel', 'cancel'), 'NOT_SUPPORTED', 'NotSupportedError'],
      [new TaskCancelledError('t', 'user asked'), 'TASK_CANCELLED', 'TaskCancelledError'],
      [new WaitTimeoutError('t', 10), 'WAIT_TIMEOUT', 'WaitTimeoutError'],
      [new InvalidCursorError('options.cursor', 'is not a cursor'), 'INVALID_CURSOR', 'InvalidCursorError'],
    ];
    for (const [error, code, name] of cases) {
      expect(error).toBeInstanceOf(BatonError);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(isBatonError(error, error.code)).toBe(true);
    }
    expect(isBatonError(new Error('x'))).toBe(false);
  });

  it('keeps the cause it wraps', () => {
    const cause = new Error('ECONNREFUSED');
    expect(new BackendUnavailableError('down', { cause }).cause).toBe(cause);
  });
});
