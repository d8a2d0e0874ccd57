import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/** Every script in scripts/, with its number of KEYS and whether it only reads. */
export const SCRIPTS = {
  enqueueTasks: { keys: 8 },
  leaseTasks: { keys: 10 },
  returnDelivery: { keys: 3 },
  completeTask: { keys: 5 },
  failTask: { keys: 6 },
  extendLease: { keys: 2 },
  recoverStalledTasks: { keys: 5 },
  readStats: { keys: 5, readOnly: true },
  checkFinished: { keys: 2, readOnly: true },
  acquireLock: { keys: 4 },
  leaveLockQueue: { keys: 4 },
  extendLock: { keys: 1 },
  releaseLock: { keys: 4 },
  acquirePermits: { keys: 4 },
  releasePermits: { keys: 4 },
  extendPermits: { keys: 1 },
  leavePermitQueue: { keys: 4 },
  inspectPermits: { keys: 4, readOnly: true },
  beatNode: { keys: 4 },
  removeNode: { keys: 3 },
  listNodes: { keys: 2 },
} as const satisfies Record<string, { keys: number; readOnly?: boolean }>;

/** Name of a script file (without `.lua`). */
export type ScriptName = keyof typeof SCRIPTS;

/**
 * Where the .lua files are. They live in src/scripts and are not copied by tsc, so a module
 * running from dist/ reads them from ../src/scripts (the package publishes src/ for this).
 */
function scriptsDirectory(): string {
  const candidates = [new URL('./scripts/', import.meta.url), new URL('../src/scripts/', import.meta.url)];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(`${path}prelude.lua`)) return path;
  }
  throw new Error(`Baton Redis scripts not found next to ${fileURLToPath(import.meta.url)} (looked in ./scripts and ../src/scripts)`);
}

let sources: Record<ScriptName, string> | undefined;

/** The source of every script, the shared prelude prepended; read from disk once per process. */
export function scriptSources(): Record<ScriptName, string> {
  if (!sources) {
    const dir = scriptsDirectory();
    const prelude = readFileSync(`${dir}prelude.lua`, 'utf8');
    const loaded = {} as Record<ScriptName, string>;
    for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
      loaded[name] = `${prelude}\n${readFileSync(`${dir}${name}.lua`, 'utf8')}`;
    }
    sources = loaded;
  }
  return sources;
}

/** The client command name a script is registered under. */
export function commandName(name: ScriptName): string {
  return `baton_${name}`;
}

const defined = new WeakSet<Redis>();

/** Registers every script on `client` with defineCommand, once per client. */
export function defineScripts(client: Redis): void {
  if (defined.has(client)) return;
  const all = scriptSources();
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    const spec: { keys: number; readOnly?: boolean } = SCRIPTS[name];
    client.defineCommand(commandName(name), { lua: all[name], numberOfKeys: spec.keys, readOnly: spec.readOnly === true });
  }
  defined.add(client);
}
