export { Scheduler } from './scheduler.js';
export { SCHEDULER_DEFAULTS, defaultNodeId, resolveSchedulerOptions, type SchedulerOptions, type ResolvedSchedulerOptions } from './scheduler-options.js';
export { SchedulerEmitter, type SchedulerEvents, type SchedulerEventName, type SchedulerListener, type TaskEventInfo } from './scheduler-events.js';
export type { TaskContext, TaskHandler, HandleOptions } from './task-handler.js';
export { periodicQueueName, type PeriodicContext, type PeriodicFn, type EveryOptions } from './periodic-job.js';
export { installSignalHandlers, type SignalHandlerOptions } from './signal-handlers.js';
export { leaseResource } from './lease-keeper.js';
export { CronSchedule, IntervalSchedule, type FireSchedule } from './fire-schedule.js';
