import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../setup/redis-server.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

const running = new Set<PrivatePostgres>();
process.once('exit', () => {
  for (const server of running) server.killNow();
});

/** Runs a PostgreSQL binary as the postgres user when we are root (the server refuses root). */
function asPostgres(binary: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const command = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', join(BIN, binary), ...args]] : [join(BIN, binary), args];
  return run(command[0] as string, command[1] as string[], { timeout: 30_000 });
}

/**
 * A PostgreSQL 15 server of a test's own: `initdb` in a temp folder owned by the postgres user,
 * started with `pg_ctl` on a free loopback port with durable settings (fsync and synchronous
 * commit on), so a test can restart it (fast or immediate shutdown), freeze it (SIGSTOP) and
 * thaw it. `destroy()` stops it and removes the folder; an exit hook kills it if a test did not.
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** initdb + start; resolves once the server accepts connections. */
  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'baton-pg-'));
    if (process.getuid?.() === 0)
      chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
    const server = new PrivatePostgres(dir, await freePort());
    running.add(server);
    try {
      await asPostgres('initdb', ['-D', server.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
      await server.boot();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** The postmaster's pid (from postmaster.pid). */
  get pid(): number | undefined {
    try {
      return Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  }

  /** Starts the server (after `stop`). */
  async boot(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=100`;
    await asPostgres('pg_ctl', ['-D', this.data, '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '20', 'start']);
  }

  /** Shuts the server down: 'fast' (clean, aborts sessions) or 'immediate' (a crash: recovery at the next start). */
  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await asPostgres('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '20', 'stop']);
  }

  /** SIGSTOPs the postmaster and every server process; `thaw` resumes them. */
  async freeze(): Promise<void> {
    await this.signalAll('STOP');
  }

  /** SIGCONTs every server process. */
  async thaw(): Promise<void> {
    await this.signalAll('CONT');
  }

  /** Stops the server (immediate) and removes its folder. Idempotent; never throws. */
  async destroy(): Promise<void> {
    await this.thaw().catch(() => undefined);
    await this.stop('immediate').catch(() => undefined);
    this.killNow();
    running.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGKILLs the postmaster, synchronously (exit hook). */
  killNow(): void {
    const pid = this.pid;
    if (!pid) return;
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  private async signalAll(signal: 'STOP' | 'CONT'): Promise<void> {
    const pid = this.pid;
    if (!pid) return;
    const children = (await run('pgrep', ['-P', String(pid)]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    // the postmaster first on STOP (it forks no new backends), last on CONT
    const pids = signal === 'STOP' ? [String(pid), ...children] : [...children, String(pid)];
    for (const p of pids) {
      try {
        process.kill(Number(p), `SIG${signal}`);
      } catch {
        // exited meanwhile
      }
    }
  }
}
