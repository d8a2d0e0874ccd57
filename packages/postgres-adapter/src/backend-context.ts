import { type Clock, type Logger } from '@baton/core';
import { BackendLifecycle } from '@baton/core/adapter';
import type { Database } from './connection/database.js';
import type { Listener } from './connection/listener.js';

/**
 * What one PostgresBackend gives the queues, registries and lock stores it creates: clock,
 * logger, the pool (Database) and the LISTEN connection, plus (from core's BackendLifecycle)
 * whether it is open and the cleanups to run when it closes.
 */
export class PgContext extends BackendLifecycle {
  constructor(
    readonly clock: Clock,
    logger: Logger,
    readonly db: Database,
    readonly listener: Listener,
  ) {
    super('postgres backend', logger);
  }

  /** The schema's name (unquoted). */
  get schema(): string {
    return this.db.settings.schema;
  }
}
