export { BatonError, isBatonError, type BatonErrorCode } from './baton-error.js';
export { LockTimeoutError, LockLostError, LockNotReplicatedError, SemaphoreLimitError, type LockKind } from './lock-errors.js';
export { InvalidArgumentError, SerializationError, InvalidCursorError } from './input-errors.js';
export {
  BackendUnavailableError,
  BackendDataError,
  BackendFullError,
  UnsafeEvictionPolicyError,
  ClosedError,
  TaskTimeoutError,
  NotSupportedError,
} from './backend-errors.js';
export { TaskCancelledError, WaitTimeoutError } from './queue-errors.js';
export { ConditionTimeoutError } from './time-errors.js';
