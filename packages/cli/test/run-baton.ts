import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The bin, run from source the way `npm run baton` does. */
const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

/** What a finished `baton` process did. */
export interface BatonResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of one run. */
export interface RunOptions {
  /** Written to stdin, which is then closed. @default nothing (stdin closed) */
  input?: string;
  /** Extra environment; BATON_URL is removed unless given here. */
  env?: Record<string, string>;
  /** SIGKILL after this long (real ms). @default 30_000 */
  timeoutMs?: number;
}

const live = new Set<ChildProcess>();
/** Everything each output stream of a started process printed so far. */
const printed = new WeakMap<NodeJS.ReadableStream, string>();

/** Starts the real `baton` bin as a child process (stdin, stdout and stderr are pipes: not a terminal). */
export function startBaton(args: string[], options: RunOptions = {}): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, TSX_TSCONFIG_PATH: `${ROOT}tsconfig.base.json`, ...options.env };
  if (options.env?.BATON_URL === undefined) delete env.BATON_URL;
  const child = spawn(process.execPath, ['--conditions=@baton/source', '--import', 'tsx', BIN, ...args], { cwd: ROOT, env, stdio: 'pipe' });
  live.add(child);
  child.once('close', () => live.delete(child));
  for (const stream of [child.stdout!, child.stderr!]) {
    printed.set(stream, '');
    stream.on('data', (c: Buffer) => printed.set(stream, printed.get(stream)! + c.toString()));
  }
  child.stdin!.end(options.input ?? '');
  return child;
}

/** Runs `baton …` to its end and resolves its exit code and output. */
export function baton(args: string[], options: RunOptions = {}): Promise<BatonResult> {
  const child = startBaton(args, options);
  return collect(child, options.timeoutMs ?? 30_000);
}

/** Resolves the exit code and output of a started process; SIGKILLs it after `timeoutMs`. */
export function collect(child: ChildProcess, timeoutMs: number): Promise<BatonResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Resolves once `stream` (of a process startBaton started) has printed text matching `pattern`, now or before; rejects if it ends first. */
export function waitForOutput(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const seen = printed.get(stream) ?? '';
      if (!pattern.test(seen)) return false;
      stream.off('data', onData);
      resolve(seen);
      return true;
    };
    // Checked after the recorder (added first) has taken the chunk in.
    const onData = (): void => void check();
    if (check()) return;
    stream.on('data', onData);
    stream.once('end', () => {
      if (!check()) reject(new Error(`ended without ${String(pattern)}; printed:\n${printed.get(stream) ?? ''}`));
    });
  });
}

/** SIGKILLs every `baton` process a test started that is still running (afterEach). */
export function killStrays(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** The lines of stderr (a failure must print exactly one). */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}
