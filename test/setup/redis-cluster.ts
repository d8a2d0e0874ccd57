import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eventually } from './eventually.js';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';

const run = promisify(execFile);

/** A Redis Cluster of masters on loopback, started by a test. */
export interface RedisClusterHandle {
  /** The masters, in the order their slots were assigned. */
  nodes: RedisServerHandle[];
  /** `{ host, port }` of every master, for ioredis Cluster / `RedisBackend({ cluster })`. */
  startupNodes: Array<{ host: string; port: number }>;
  /** Stops every node and removes their data dirs. Idempotent. */
  stop(): Promise<void>;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 20_000 });
  return stdout;
}

/**
 * Starts `masters` (default 3) cluster-enabled redis-servers on free loopback ports, joins them
 * with `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`, and resolves once every
 * node reports `cluster_state:ok`. Whatever was started is stopped if a step fails.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const nodes: RedisServerHandle[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(nodes.map((n) => n.stop()));
  };
  try {
    const started = await Promise.all(
      Array.from({ length: masters }, () =>
        // The config file is relative to --dir, which is the node's own temporary directory.
        startRedisServer(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000']),
      ),
    );
    nodes.push(...started);
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 30_000,
    });
    await eventually(
      async () => {
        const states = await Promise.all(nodes.map((n) => cli(n.port, 'cluster', 'info')));
        if (!states.every((s) => s.includes('cluster_state:ok'))) throw new Error(states.join('\n'));
      },
      { what: 'every node of the cluster to report cluster_state:ok', timeoutMs: 20_000, intervalMs: 50 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, startupNodes: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), stop };
}
