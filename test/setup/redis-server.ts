import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server process started by a test. */
export interface RedisServerHandle {
  url: string;
  port: number;
  process: ChildProcess;
  dir: string;
  /** SIGTERM, then SIGKILL after 2 s; removes the data dir. Idempotent. */
  stop(): Promise<void>;
}

/** A free loopback TCP port, found by listening on port 0. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const running = new Set<RedisServerHandle>();
process.once('exit', () => {
  for (const s of running) s.process.kill('SIGKILL');
});

/**
 * Starts `redis-server` on a free loopback port with persistence off (extra arguments are
 * appended, e.g. ['--appendonly', 'yes']) and resolves once it accepts connections. Without an
 * explicit `port`, a port another process took between freePort() and the bind is retried with
 * another free port (up to 5 attempts).
 */
export async function startRedisServer(extraArgs: string[] = [], port?: number): Promise<RedisServerHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(extraArgs, port ?? (await freePort()));
    } catch (error) {
      const taken = error instanceof Error && /Address already in use/i.test(error.message);
      if (port !== undefined || !taken || attempt >= 5) throw error;
    }
  }
}

async function startOnce(extraArgs: string[], p: number): Promise<RedisServerHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-redis-'));
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 5 s:\n${output}`)), 5_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
    const check = (): void => {
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      } else setTimeout(check, 10);
    };
    check();
  });
  child.removeAllListeners('exit');
  let stopped = false;
  const handle: RedisServerHandle = {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    process: child,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      running.delete(handle);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(handle);
  return handle;
}
