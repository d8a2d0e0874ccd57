import type { Clock, Logger } from '@baton/core';
import { BackendLifecycle } from '@baton/core/adapter';
import type { Connections } from './connections.js';
import type { KeyLayout } from './key-layout.js';
import type { ScriptRunner } from './script-runner.js';
import type { Subscriptions } from './subscriptions.js';

/**
 * What one RedisBackend gives the queues, registries and lock stores it creates: clock, logger,
 * key layout, connections, script runner and pub/sub, plus (from core's BackendLifecycle) whether
 * it is open and the cleanups to run when it closes.
 */
export class BackendContext extends BackendLifecycle {
  constructor(
    readonly clock: Clock,
    logger: Logger,
    readonly keys: KeyLayout,
    readonly connections: Connections,
    readonly runner: ScriptRunner,
    readonly subscriptions: Subscriptions,
  ) {
    super('redis backend', logger);
  }
}
