import type { Command } from '../command.js';
import { pauseQueueCommand, purgeCommand, removeCommand, resumeQueueCommand, retryCommand } from './admin.js';
import { dashboardCommand } from './dashboard.js';
import { enqueueCommand } from './enqueue.js';
import { leaderCommand, locksCommand } from './locks.js';
import { migrateCommand } from './migrate.js';
import { nodesCommand } from './nodes.js';
import { queuesCommand } from './queues.js';
import { statsCommand } from './stats.js';
import { taskCommand } from './task.js';
import { tasksCommand } from './tasks.js';
import { watchCommand } from './watch.js';

/** Every `baton` subcommand, in the order `baton --help` lists them. */
export const COMMANDS: readonly Command[] = [
  queuesCommand,
  statsCommand,
  tasksCommand,
  taskCommand,
  enqueueCommand,
  retryCommand,
  removeCommand,
  purgeCommand,
  pauseQueueCommand,
  resumeQueueCommand,
  nodesCommand,
  locksCommand,
  leaderCommand,
  watchCommand,
  dashboardCommand,
  migrateCommand,
];
