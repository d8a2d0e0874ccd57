import { InvalidArgumentError, type QueueKeyNames } from '@baton/core';
import { assertName } from '@baton/core/adapter';
import type { Cluster } from 'ioredis';
import type { BackendContext } from '../backend-context.js';
import { upgradeQueue, type UpgradeReply } from './queue-scripts.js';

/** What `RedisBackend.upgradeQueues` did to one queue (or, with `dryRun`, would do). */
export interface QueueUpgrade extends UpgradeReply {
  /** The queue's name (a shard of a sharded queue shows as `<name>:s<i>`). */
  queue: string;
}

/** Options of `RedisBackend.upgradeQueues`. */
export interface UpgradeQueuesOptions {
  /** Count what would be converted and change nothing. @default false */
  dryRun?: boolean;
  /**
   * The queues to upgrade, by name or with the key names they are bound to (`QueueOptions.keys`).
   * @default every queue under the prefix whose keys a first-generation version wrote, found by SCAN
   */
  queues?: ReadonlyArray<string | { name: string; keys?: QueueKeyNames }>;
}

/** What a SCAN matches: the ids and dead ids keys of every queue under the prefix. */
function idsPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:{queue:*}:*ids`;
}

/**
 * The names of the queues under `prefix` whose ids or dead ids key is still a set (written by the
 * first generation; the current layout keeps a hash and a zset there), sorted. One SCAN (`TYPE
 * set`) over the keyspace, on every master of a Cluster. The first generation never wrote the
 * `<prefix>:{queues}` set, so it cannot tell.
 */
export async function findFirstGenerationQueues(ctx: BackendContext): Promise<string[]> {
  const prefix = ctx.keys.prefix;
  const head = `${prefix}:{queue:`;
  const names = new Set<string>();
  await ctx.runner.call(async (client) => {
    const nodes = ctx.connections.cluster ? (client as unknown as Cluster).nodes('master') : [client];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = (await node.call('SCAN', cursor, 'MATCH', idsPattern(prefix), 'COUNT', '1000', 'TYPE', 'set')) as [string, string[]];
        cursor = next;
        for (const key of keys) {
          const tail = key.endsWith('}:dead-ids') ? '}:dead-ids' : key.endsWith('}:ids') ? '}:ids' : undefined;
          if (tail && key.startsWith(head)) names.add(key.slice(head.length, -tail.length));
        }
      } while (cursor !== '0');
    }
  });
  return [...names].sort();
}

/**
 * Runs upgradeQueue.lua on each queue, one script call per queue, in order. See
 * RedisBackend.upgradeQueues.
 */
export async function upgradeQueues(ctx: BackendContext, options: UpgradeQueuesOptions = {}): Promise<QueueUpgrade[]> {
  const dryRun = options.dryRun ?? false;
  if (typeof dryRun !== 'boolean') throw new InvalidArgumentError('options.dryRun', 'must be a boolean');
  if (options.queues !== undefined && !Array.isArray(options.queues)) throw new InvalidArgumentError('options.queues', 'must be an array');
  const queues = options.queues
    ? options.queues.map((q, i) => {
        const spec = typeof q === 'string' ? { name: q } : q;
        assertName(`options.queues[${i}]`, spec.name);
        return spec;
      })
    : (await findFirstGenerationQueues(ctx)).map((name) => ({ name, keys: undefined }));
  const wakePrefix = `${ctx.keys.prefix}:waiters:`;
  const out: QueueUpgrade[] = [];
  for (const { name, keys } of queues) {
    const reply = await ctx.runner.run(upgradeQueue, ctx.keys.queue(name, keys), { wakePrefix, dryRun: dryRun ? 1 : 0 });
    out.push({ queue: name, ...reply });
  }
  const names = [...new Set(out.filter((u) => u.upgraded).map((u) => knownName(u.queue)))];
  if (!dryRun && names.length > 0) await ctx.runner.call((client) => client.sadd(`${ctx.keys.prefix}:{queues}`, ...names));
  return out;
}

/**
 * The name `backend.queues()` lists for upgraded keys `name`: the first generation never wrote
 * `<prefix>:{queues}`, so the upgrade adds its queues (a shard `<queue>:s<i>` as its queue), and
 * the CLI and the dashboard know them before a process of this version touches them.
 */
function knownName(name: string): string {
  return /^(.+):s\d+$/.exec(name)?.[1] ?? name;
}
