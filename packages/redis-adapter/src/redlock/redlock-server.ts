import type { Clock, Logger } from '@baton/core';
import { BackendContext } from '../backend-context.js';
import { Connections, type RedisConnectionOptions } from '../connections.js';
import { KeyLayout } from '../key-layout.js';
import { LockGrants } from '../locks/lock-grants.js';
import { raiseFence } from '../locks/lock-scripts.js';
import { RedisLockStore } from '../locks/redis-lock-store.js';
import { ScriptRunner } from '../script-runner.js';
import { Subscriptions } from '../subscriptions.js';

/** How one Redlock server is reached: a URL or ioredis connection options. */
export type RedlockServerAddress = string | RedisConnectionOptions;

/**
 * One independent server of a Redlock set: its own connection and the single-server lock store
 * (same scripts and key layout as `RedisBackend.locks()`), so each server holds an ordinary Baton
 * lock. Commands fail fast while the server is away (no offline queue, a per-command timeout):
 * Redlock counts a slow server as a missing vote instead of waiting for it.
 */
export class RedlockServer {
  readonly store: RedisLockStore;
  private readonly ctx: BackendContext;

  constructor(address: RedlockServerAddress, prefix: string, clock: Clock, logger: Logger, commandTimeoutMs: number, connectTimeoutMs: number) {
    const options: RedisConnectionOptions = typeof address === 'string' ? { url: address } : { ...address };
    const connections = new Connections({ enableOfflineQueue: false, maxRetriesPerRequest: 0, ...options }, connectTimeoutMs, logger, commandTimeoutMs);
    const runner = new ScriptRunner(connections.main, connections.address, () => connections.ready());
    const subscriptions = new Subscriptions(() => connections.createSubscriber(), clock, logger);
    this.ctx = new BackendContext(clock, logger, new KeyLayout(prefix), connections, runner, subscriptions);
    this.store = new RedisLockStore(this.ctx, new LockGrants(this.ctx));
  }

  /** The server's address, without credentials. */
  get address(): string {
    return this.ctx.connections.address;
  }

  /** Raises the fence counter of `resource` on this server to at least `fence`; resolves the counter. */
  async raiseFence(resource: string, fence: number): Promise<number> {
    return this.ctx.runner.run(raiseFence, this.ctx.keys.lock(resource), { target: fence });
  }

  /** Closes this server's connections. Idempotent. */
  async close(): Promise<void> {
    this.ctx.close();
    this.ctx.subscriptions.close();
    await this.ctx.connections.close();
  }
}
