import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Node arguments that run a TypeScript file of this repository the way `npm run demo` does. */
export const TS_NODE_ARGS = ['--conditions=@baton/source', '--import', 'tsx'];

/** Environment for such a process: tsx needs the base tsconfig for decorators. */
export function tsEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, TSX_TSCONFIG_PATH: `${ROOT}tsconfig.base.json`, ...extra };
}

/** Result of a finished script. */
export interface ScriptResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Children started by runScript that have not exited; killed by killStrays(). */
const live = new Set<ChildProcess>();

/** Runs `file` (relative to the root) with `args`; SIGKILLs it after `timeoutMs`. */
export function runScript(file: string, args: string[], timeoutMs: number): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TS_NODE_ARGS, file, ...args], { cwd: ROOT, env: tsEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      live.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** SIGKILLs every child runScript started that is still running (for afterEach/afterAll). */
export function killStrays(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** The number after `label:` in the demo's output; throws when the line is missing. */
export function total(output: string, label: string): number {
  const match = new RegExp(`^${label}: (\\d+)`, 'm').exec(output);
  if (!match) throw new Error(`no "${label}:" line in:\n${output}`);
  return Number(match[1]);
}
