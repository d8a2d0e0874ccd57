import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import * as lockScripts from './locks/lock-scripts.js';
import * as permitScripts from './locks/permit-scripts.js';
import * as queueScripts from './queue/queue-scripts.js';
import * as registryScripts from './registry/registry-scripts.js';
import type { AnyScript } from './script.js';

/**
 * Every declared script. A new script is a declaration in its area's *-scripts.ts (picked up
 * here) and a .lua file; a new area's declarations file is one more line below.
 */
export const SCRIPTS: readonly AnyScript[] = [
  ...scriptsOf(queueScripts),
  ...scriptsOf(lockScripts),
  ...scriptsOf(permitScripts),
  ...scriptsOf(registryScripts),
];

function scriptsOf(module: Record<string, unknown>): AnyScript[] {
  return Object.values(module).filter((value): value is AnyScript => typeof value === 'object' && value !== null && 'command' in value && 'decode' in value);
}

/**
 * Where the .lua files are. They live in src/scripts and are not copied by tsc, so a module
 * running from dist/ reads them from ../src/scripts (the package publishes src/ for this).
 */
export function scriptsDirectory(): string {
  const candidates = [new URL('./scripts/', import.meta.url), new URL('../src/scripts/', import.meta.url)];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(`${path}prelude.lua`)) return path;
  }
  throw new Error(`Baton Redis scripts not found next to ${fileURLToPath(import.meta.url)} (looked in ./scripts and ../src/scripts)`);
}

const sources = new Map<string, string>();

/** The source of `script` with the shared prelude prepended, as Redis runs it; read from disk once per process. */
export function scriptSource(script: AnyScript): string {
  let source = sources.get(script.name);
  if (source === undefined) {
    const dir = scriptsDirectory();
    source = `${readFileSync(`${dir}prelude.lua`, 'utf8')}\n${readFileSync(`${dir}${script.name}.lua`, 'utf8')}`;
    sources.set(script.name, source);
  }
  return source;
}

const defined = new WeakSet<Redis>();

/** Registers every script on `client` with defineCommand (EVALSHA, EVAL on NOSCRIPT), once per client. */
export function defineScripts(client: Redis): void {
  if (defined.has(client)) return;
  for (const script of SCRIPTS) {
    client.defineCommand(script.command, { lua: scriptSource(script), numberOfKeys: script.keys.length, readOnly: script.readOnly });
  }
  defined.add(client);
}
