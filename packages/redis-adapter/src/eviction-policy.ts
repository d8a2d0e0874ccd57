import { UnsafeEvictionPolicyError, type Logger } from '@baton/core';
import type { Redis } from 'ioredis';

/** A warning the backend raises about the server it runs on (given to `onWarning` and logged). */
export interface BackendWarning {
  /** 'EVICTION_POLICY': the server may delete Baton's keys when it runs out of memory. */
  code: 'EVICTION_POLICY';
  /** What is wrong and how to fix it, in one sentence. */
  message: string;
  /** The server (or Cluster master) the warning is about. */
  address: string;
  /** The server's `maxmemory_policy`. */
  policy: string;
}

/**
 * What a `maxmemory-policy` may delete of Baton's: 'nothing' (noeviction), 'expiring' (volatile-*:
 * keys with a TTL, which are locks, semaphore holds and node heartbeats) or 'anything' (allkeys-*:
 * queues, finished ids and fences too).
 */
export function evictionRisk(policy: string): 'nothing' | 'expiring' | 'anything' {
  if (policy === 'noeviction') return 'nothing';
  return policy.startsWith('volatile-') ? 'expiring' : 'anything';
}

/** The message for a policy that may evict Baton's keys. */
function describeRisk(policy: string, address: string): string {
  const lost =
    evictionRisk(policy) === 'expiring'
      ? 'locks, semaphore grants and node heartbeats (keys with a TTL) can vanish early, so two holders can hold one lock'
      : 'any key can vanish, including queued tasks, finished ids and fences, with no error';
  return (
    `Redis at ${address} runs maxmemory-policy ${policy}: when it reaches maxmemory, ${lost}. ` +
    'Set maxmemory-policy noeviction (or give Baton a server of its own with that policy); with it, a full server refuses writes with BackendFullError instead.'
  );
}

// The masters of a Cluster client (each judges its own slots), or the one server.
function servers(client: Redis): Array<{ node: Redis; address: string }> {
  const nodes = (client as unknown as { nodes?: (role: string) => Redis[] }).nodes;
  const list = typeof nodes === 'function' ? nodes.call(client, 'master') : [client];
  return list.map((node) => ({ node, address: `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}` }));
}

/** Reads `maxmemory_policy` from `INFO memory` (INFO is allowed where CONFIG is often disabled). */
async function readPolicy(node: Redis): Promise<string> {
  const info = await node.info('memory');
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy === undefined) throw new Error('INFO memory has no maxmemory_policy line');
  return policy;
}

/**
 * Checks once per backend, after the first connection, whether the server may evict Baton's keys.
 * By default an unsafe policy is a warning (logged, and given to `onWarning`) and Baton goes on:
 * many managed services run an evicting policy that the application cannot change, and a policy can
 * also change later; `require: true` makes every call reject with UnsafeEvictionPolicyError instead.
 */
export class EvictionPolicyCheck {
  private result: Promise<void> | undefined;
  /** True once the check no longer needs to be awaited (done, or running in the background). */
  settled = false;

  constructor(
    private readonly client: Redis,
    private readonly logger: Logger,
    private readonly require: boolean,
    private readonly onWarning: ((warning: BackendWarning) => void) | undefined,
  ) {}

  /** Runs the check (once). Rejects only with `require` and a policy that is unsafe or unreadable. */
  run(): Promise<void> {
    if (!this.result) {
      const checked = this.check();
      if (this.require) {
        this.result = checked;
        checked.then(() => (this.settled = true)).catch(() => undefined);
      } else {
        this.result = Promise.resolve();
        this.settled = true;
        checked.catch((error: unknown) => this.logger.debug('the eviction policy check failed', { error: String(error) }));
      }
    }
    return this.result;
  }

  private async check(): Promise<void> {
    for (const { node, address } of servers(this.client)) {
      let policy: string;
      try {
        policy = await readPolicy(node);
      } catch (error) {
        if (this.require) {
          throw new UnsafeEvictionPolicyError(
            `Redis at ${address} did not tell its maxmemory-policy (INFO memory: ${error instanceof Error ? error.message : String(error)}), ` +
              'so requireNoEviction cannot be met: allow INFO for this user, or drop requireNoEviction.',
            { cause: error },
          );
        }
        this.logger.debug('could not read the eviction policy', { address, error: String(error) });
        continue;
      }
      if (evictionRisk(policy) === 'nothing') continue;
      const message = describeRisk(policy, address);
      if (this.require) throw new UnsafeEvictionPolicyError(`${message} This backend was created with requireNoEviction: true, so it refuses to run.`);
      this.logger.warn(message, { policy, address });
      this.onWarning?.({ code: 'EVICTION_POLICY', message, address, policy });
    }
  }
}
