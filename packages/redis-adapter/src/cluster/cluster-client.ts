import { Cluster, type ClusterNode, type ClusterOptions, type Redis, type RedisOptions } from 'ioredis';

/** A Redis Cluster node to start from: `{ host, port }` (one reachable master is enough; list several). */
export type ClusterStartupNode = { host: string; port: number };

/**
 * Opens an ioredis `Cluster` on `nodes`. `redisOptions` (credentials, TLS, timeouts) apply to the
 * connection to every node; `clusterOptions` are ioredis's own (e.g. `scaleReads`, `natMap`).
 *
 * The result is typed as `Redis`: a Cluster answers the same commands, `defineCommand`,
 * `duplicate()` (blocking waits and the subscriber get their own Cluster), `subscribe` and
 * `quit`, so the rest of the adapter has one client type. Every key one script touches shares a
 * hash tag, which is what lets a Cluster route each call to one node.
 */
export function createClusterClient(nodes: ClusterStartupNode[], redisOptions: RedisOptions, clusterOptions: ClusterOptions = {}): Redis {
  const startup: ClusterNode[] = nodes.map((n) => ({ host: n.host, port: n.port }));
  const { enableAutoPipelining, ...perNode } = redisOptions;
  const cluster = new Cluster(startup, {
    enableAutoPipelining: enableAutoPipelining ?? true,
    ...clusterOptions,
    redisOptions: { ...perNode, ...clusterOptions.redisOptions },
  });
  return cluster as unknown as Redis;
}

/** `host:port,host:port` of the startup nodes, for error messages. */
export function describeCluster(nodes: ClusterStartupNode[]): string {
  return `cluster ${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
}

/**
 * A new connection like `client` with `overrides`: `Redis.duplicate(options)`, or for a Cluster
 * `Cluster.duplicate([], options)` (its first argument is a node list, not options), where the
 * per-connection overrides (timeouts, …) go to every node's `redisOptions`.
 */
export function duplicateClient(client: Redis, overrides: RedisOptions): Redis {
  const unknownClient = client as unknown;
  if (unknownClient instanceof Cluster) {
    const { lazyConnect, enableAutoPipelining, ...perNode } = overrides;
    const clusterLevel: ClusterOptions = { redisOptions: { ...unknownClient.options.redisOptions, ...perNode } };
    if (lazyConnect !== undefined) clusterLevel.lazyConnect = lazyConnect;
    if (enableAutoPipelining !== undefined) clusterLevel.enableAutoPipelining = enableAutoPipelining;
    return unknownClient.duplicate([], clusterLevel) as unknown as Redis;
  }
  return client.duplicate(overrides);
}
