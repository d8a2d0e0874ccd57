export type { Backend } from './backend.js';
export type {
  Queue,
  QueueOptions,
  QueueLimits,
  QueueStats,
  QueueKeyNames,
  Task,
  Lease,
  EnqueueResult,
  EnqueueOptions,
  DequeueOptions,
  BackoffOptions,
  TaskHeaders,
  CancelResult,
} from './queue.js';
export type {
  TaskState,
  PurgeableState,
  TaskInfo,
  HeldTaskInfo,
  WaitingTaskInfo,
  DelayedTaskInfo,
  ActiveTaskInfo,
  DeadTaskInfo,
  FinishedTaskInfo,
  CancelledTaskInfo,
  ListOptions,
  TaskPage,
  RemoveResult,
  RetryDeadTarget,
  RetainDeadOptions,
} from './queue-admin.js';
export { TASK_STATES } from './queue-admin.js';
export type { Registry, RegistryOptions, Registration, NodeRecord, NodeMeta, RegistryEvent } from './registry.js';
export type { LockManager, LockHandle, LockOptions, AcquireOptions, LockState, LockHolder } from './lock.js';
export type { SemaphoreManager, SemaphoreHandle, SemaphoreOptions, SemaphoreAcquireOptions, SemaphoreState, SemaphoreHolder } from './semaphore.js';
export type { RwLockManager, RwLockHandle, RwLockOptions, RwLockAcquireOptions, RwLockState, RwLockHolder } from './rwlock.js';
export type {
  QueueEvent,
  QueueEventType,
  QueueEventBase,
  EnqueuedEvent,
  ActiveEvent,
  CompletedEvent,
  FailedEvent,
  DeadEvent,
  CancelledEvent,
  ProgressEvent,
  ReconnectedEvent,
  WatchOptions,
  QueueWatch,
} from './queue-events.js';
export { QUEUE_EVENT_TYPES } from './queue-events.js';
export type { TaskOutcome, WaitOptions, CompleteOptions } from './task-outcome.js';
export { type Logger, silentLogger, consoleLogger } from './logger.js';
