import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './eventually.js';
import { freePort, startRedisServer, type RedisServerHandle } from './redis-server.js';

const run = promisify(execFile);

/** A master, its replica and three sentinels on loopback, started by a test. */
export interface RedisSentinelHandle {
  /** The name the sentinels monitor the master under. */
  name: string;
  master: RedisServerHandle;
  replica: RedisServerHandle;
  /** `{ host, port }` of every sentinel, for ioredis `sentinels`. */
  sentinels: Array<{ host: string; port: number }>;
  /** Stops the sentinels, the replica and the master (whichever still run) and removes their dirs. Idempotent. */
  stop(): Promise<void>;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout;
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
  });
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a master, one replica of it and three sentinels (`redis-server <conf> --sentinel`,
 * quorum 2) on free loopback ports; resolves once the replica is in sync and every sentinel sees
 * it and the two other sentinels. `downAfterMs` (default 1_000) is how long the master must be unreachable
 * before a failover starts. Whatever was started is stopped if a step fails.
 */
export async function startRedisSentinel(downAfterMs = 1_000, name = 'baton-m'): Promise<RedisSentinelHandle> {
  const servers: RedisServerHandle[] = [];
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(children.map(kill));
    for (const child of children) running.delete(child);
    await Promise.allSettled(servers.map((s) => s.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    // no 5 s pause before the replica's first sync (the default for diskless sync)
    const master = await startRedisServer(['--repl-diskless-sync-delay', '0']);
    servers.push(master);
    const replica = await startRedisServer(['--replicaof', '127.0.0.1', String(master.port)]);
    servers.push(replica);
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    for (const port of ports) {
      const dir = mkdtempSync(join(tmpdir(), 'baton-sentinel-'));
      dirs.push(dir);
      const conf = join(dir, 'sentinel.conf');
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
          `sentinel failover-timeout ${name} ${Math.max(3_000, downAfterMs * 3)}`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
      children.push(child);
      running.add(child);
    }
    await eventually(
      async () => {
        const views = await Promise.all(ports.map((p) => cli(p, 'sentinel', 'master', name).catch((e: unknown) => String(e))));
        const link = await cli(replica.port, 'info', 'replication').catch(() => '');
        const ready = link.includes('master_link_status:up') && views.every((v) => /num-slaves\n1\n/.test(v) && /num-other-sentinels\n2\n/.test(v));
        if (!ready) throw new Error(views.join('\n---\n'));
      },
      { what: 'the sentinels to see the replica and each other', timeoutMs: 20_000, intervalMs: 100 },
    );
    return { name, master, replica, sentinels: ports.map((port) => ({ host: '127.0.0.1', port })), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resolves the address the sentinel at `port` currently gives for master `name` ("host:port"). */
export async function currentMaster(port: number, name: string): Promise<string> {
  const reply = await cli(port, 'sentinel', 'get-master-addr-by-name', name);
  return reply.trim().split('\n').join(':');
}
