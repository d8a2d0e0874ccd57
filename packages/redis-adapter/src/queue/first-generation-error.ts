import { BackendDataError } from '@baton/core';
import type { Redis } from 'ioredis';

/** A key name of a queue's layout that the first generation stored as a set. */
const SET_BEFORE = ['ids', 'deadIds'] as const;

/**
 * For a queue script that failed on a key of the wrong type: a BackendDataError that names the
 * upgrade when the queue's ids or dead ids key is still a first-generation set, else undefined.
 * Asked only after a failure (one TYPE per key, pipelined), so calls that succeed pay nothing.
 */
export async function firstGenerationError(client: Redis, keys: Readonly<Record<string, string>>, cause: unknown): Promise<BackendDataError | undefined> {
  if (!SET_BEFORE.every((name) => typeof keys[name] === 'string')) return undefined;
  try {
    const pipeline = client.pipeline();
    for (const name of SET_BEFORE) pipeline.type(keys[name]!);
    const replies = (await pipeline.exec()) ?? [];
    const stale = SET_BEFORE.map((name) => keys[name]!).filter((_, i) => replies[i]?.[1] === 'set');
    if (stale.length === 0) return undefined;
    return new BackendDataError(
      `Redis key "${stale[0]}" holds a set written by an earlier version of Baton (before the ids hash); this version keeps a ` +
        `${stale[0]!.endsWith(':dead-ids') ? 'zset' : 'hash'} there. Stop the processes of the earlier version and run \`baton migrate\` ` +
        '(or RedisBackend.upgradeQueues()) on this prefix; it converts the queue without losing a task.',
      { cause },
    );
  } catch {
    return undefined;
  }
}
