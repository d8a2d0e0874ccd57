import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/../..). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Starts a TypeScript entry point of the bench in its own Node process, the way `npm run bench`
 * runs bench/run.ts (tsx, package sources through the @baton/source condition), with an IPC
 * channel. `nodeArgs` go to node (e.g. --cpu-prof); `root` is the checkout it runs in (another one for `--ab … --against`).
 */
export function spawnScript(file: string, args: string[], env: Record<string, string>, nodeArgs: string[] = [], root = ROOT): ChildProcess {
  const base = root.endsWith('/') ? root : `${root}/`;
  return spawn(process.execPath, [...nodeArgs, '--conditions=@baton/source', '--import', 'tsx', file, ...args], {
    cwd: base,
    env: { ...process.env, TSX_TSCONFIG_PATH: `${base}tsconfig.base.json`, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
