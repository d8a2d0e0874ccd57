import type { Command } from '../command.js';
import { enqueueCommand } from './enqueue.js';
import { migrateCommand } from './migrate.js';
import { nodesCommand } from './nodes.js';
import { statsCommand } from './stats.js';
import { watchCommand } from './watch.js';

/** Every `baton` subcommand, in the order `baton --help` lists them. */
export const COMMANDS: readonly Command[] = [statsCommand, enqueueCommand, nodesCommand, watchCommand, migrateCommand];
