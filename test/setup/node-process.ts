import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (where tsconfig.base.json lives). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A Node child process running a TypeScript file against the package sources. */
export interface NodeProcess {
  readonly child: ChildProcess;
  /** Every stdout line so far, in order. */
  readonly lines: string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first stdout line (past or future) that matches; rejects after `timeoutMs` or when the process exits first. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when the process exited, with its code and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True while the process runs. */
  alive(): boolean;
  /** Sends `signal` if the process still runs. */
  kill(signal?: NodeJS.Signals): void;
  /** Writes one line to the child's stdin. */
  send(line: string): void;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `node --conditions=@baton/source --import tsx <script> …args` from the repository root
 * (tsx reads tsconfig.base.json, so decorators parse). Each child is SIGKILLed when this process
 * exits, as a last resort; tests still stop their children themselves in afterAll/finally.
 */
export function spawnTsx(script: string, args: string[] = [], env: Record<string, string> = {}): NodeProcess {
  const child = spawn(process.execPath, ['--conditions=@baton/source', '--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  let stderr = '';
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      if (line === '') continue;
      lines.push(line);
      for (const listener of [...listeners]) listener(line);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    alive,
    kill(signal = 'SIGKILL') {
      if (alive()) child.kill(signal);
    },
    send(line: string) {
      if (alive()) child.stdin!.write(`${line}\n`);
    },
    waitForLine(match, timeoutMs = 15_000) {
      const found = lines.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<string>((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(listener);
        };
        const listener = (line: string): void => {
          if (!match(line)) return;
          done();
          resolve(line);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching line from ${script} within ${timeoutMs} ms; stderr:\n${stderr.slice(-2_000)}`));
        }, timeoutMs);
        listeners.add(listener);
        void exited.then(({ code, signal }) => {
          if (!listeners.has(listener)) return;
          done();
          reject(new Error(`${script} exited (${code ?? signal}) before the expected line; stderr:\n${stderr.slice(-2_000)}`));
        });
      });
    },
  };
}

/** Kills every process given (SIGKILL, after SIGCONT in case it was stopped) and waits for them to exit. */
export async function killAll(processes: Iterable<NodeProcess>): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const p of processes) {
    if (!p.alive()) continue;
    p.kill('SIGCONT');
    p.kill('SIGKILL');
    waits.push(p.exited);
  }
  await Promise.all(waits);
}
