import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../setup/eventually.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../../setup/redis-server.js';

/**
 * One redis-server on a fixed loopback port and a data directory that survive restarts, so a
 * test can kill the server (SIGTERM or SIGKILL), freeze it (SIGSTOP) and bring it back with
 * its data. With `durable`, every write is in the append-only file before it is acknowledged.
 */
export class DurableRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'baton-faults-'));
  private handle: RedisServerHandle | undefined;
  private frozen = false;

  private constructor(
    readonly port: number,
    private readonly args: string[],
  ) {}

  /** Starts the server. `durable`: appendonly yes, appendfsync always. */
  static async start(options: { durable?: boolean; args?: string[] } = {}): Promise<DurableRedis> {
    const args = [...(options.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : []), ...(options.args ?? [])];
    const server = new DurableRedis(await freePort(), args);
    await server.boot();
    return server;
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Pid of the running server process. */
  get pid(): number | undefined {
    return this.handle?.process.pid;
  }

  /** Ends the server with `signal` and waits for it to exit; resolves the ms it took. */
  async kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<number> {
    const started = Date.now();
    const child = this.handle?.process;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      this.thaw();
      child.kill(signal);
      await exited;
    }
    await this.handle?.stop();
    this.handle = undefined;
    return Date.now() - started;
  }

  /** Starts the server again on the same port, with the same data directory. */
  async boot(): Promise<void> {
    // A port just released can take a moment to be bindable again.
    await eventually(
      async () => {
        this.handle = await startRedisServer(['--dir', this.dir, ...this.args], this.port);
      },
      { what: `redis-server to start again on port ${this.port}`, timeoutMs: 10_000, intervalMs: 100 },
    );
  }

  /** SIGSTOP: the server keeps its connections but answers nothing. */
  freeze(): void {
    this.handle?.process.kill('SIGSTOP');
    this.frozen = true;
  }

  /** SIGCONT after `freeze`. */
  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    this.handle?.process.kill('SIGCONT');
  }

  /** Stops the server (thawing it first) and removes its data. Idempotent. */
  async stop(): Promise<void> {
    this.thaw();
    await this.handle?.stop();
    this.handle = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
