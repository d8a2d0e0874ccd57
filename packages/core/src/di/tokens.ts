/** Injection tokens. Bind them yourself or load an adapter's ContainerModule. */
export const TOKENS = {
  /** The Backend (memory, redis, …). */
  Backend: Symbol.for('baton.Backend'),
  /** The Clock: SystemClock unless a module was given another. */
  Clock: Symbol.for('baton.Clock'),
  /** The Logger. */
  Logger: Symbol.for('baton.Logger'),
  /** SchedulerOptions for the Scheduler; optional. */
  SchedulerOptions: Symbol.for('baton.SchedulerOptions'),
  /** The LockManager: the backend's own unless a module (e.g. Redlock) rebinds it. */
  LockManager: Symbol.for('baton.LockManager'),
} as const;
