import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/../..). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Starts a TypeScript entry point of the bench in its own Node process, the way `npm run bench`
 * runs bench/run.ts (tsx, package sources through the @baton/source condition), with an IPC
 * channel. `nodeArgs` go to node (e.g. --cpu-prof).
 */
export function spawnScript(file: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '--conditions=@baton/source', '--import', 'tsx', file, ...args], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: `${ROOT}tsconfig.base.json`, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
