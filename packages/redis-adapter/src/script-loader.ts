import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import * as lockScripts from './locks/lock-scripts.js';
import * as permitScripts from './locks/permit-scripts.js';
import * as limitScripts from './queue/limit-scripts.js';
import * as queueScripts from './queue/queue-scripts.js';
import * as registryScripts from './registry/registry-scripts.js';
import type { AnyScript } from './script.js';

/**
 * Every declared script. A new script is a declaration in its area's *-scripts.ts (picked up
 * here) and a .lua file; a new area's declarations file is one more line below.
 */
export const SCRIPTS: readonly AnyScript[] = [
  ...scriptsOf(queueScripts),
  ...scriptsOf(limitScripts),
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

/** One top-level statement of the prelude: the locals it defines and its code (comments dropped). */
export interface PreludeBlock {
  readonly names: readonly string[];
  readonly code: string;
}

/**
 * Splits the prelude into its top-level statements. Each starts with `local` at the start of a
 * line (`local function name(…)` up to its `end`, or `local A, B = …`); comment and blank lines
 * at the start of a line are dropped.
 */
export function preludeBlocks(prelude: string): PreludeBlock[] {
  const blocks: Array<{ names: string[]; lines: string[] }> = [];
  for (const line of prelude.split('\n')) {
    if (line.startsWith('--') || line.trim() === '') continue;
    if (line.startsWith('local ')) {
      const fn = /^local function (\w+)/.exec(line);
      const names = fn
        ? [fn[1]!]
        : line
            .slice('local '.length, line.indexOf('='))
            .split(',')
            .map((name) => name.trim());
      blocks.push({ names, lines: [] });
    }
    const current = blocks[blocks.length - 1];
    if (!current) throw new Error(`prelude.lua: code before its first top-level local: ${line}`);
    current.lines.push(line);
  }
  return blocks.map(({ names, lines }) => ({ names, code: lines.join('\n') }));
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * The prelude statements `body` needs: those defining a name it uses, and theirs in turn, in
 * prelude order (each statement comes after what it uses). Redis runs a script's whole chunk on
 * every call, so each helper a script carries costs a closure per call (~60 ns each, measured;
 * the whole prelude cost 2-3 µs of Redis time on every call of every script).
 */
export function preludeFor(blocks: readonly PreludeBlock[], body: string): string {
  const definedBy = new Map<string, number>();
  blocks.forEach((block, i) => block.names.forEach((name) => definedBy.set(name, i)));
  const needed = new Set<number>();
  const visit = (code: string): void => {
    for (const [word] of code.matchAll(IDENTIFIER)) {
      const i = definedBy.get(word);
      if (i === undefined || needed.has(i)) continue;
      needed.add(i);
      visit(blocks[i]!.code);
    }
  };
  visit(body);
  return blocks
    .filter((_, i) => needed.has(i))
    .map((block) => block.code)
    .join('\n');
}

const sources = new Map<string, string>();
let prelude: PreludeBlock[] | undefined;

/**
 * The source of `script` as Redis runs it: the prelude statements it uses (see preludeFor), then
 * the script; read from disk once per process.
 */
export function scriptSource(script: AnyScript): string {
  let source = sources.get(script.name);
  if (source === undefined) {
    const dir = scriptsDirectory();
    prelude ??= preludeBlocks(readFileSync(`${dir}prelude.lua`, 'utf8'));
    const body = readFileSync(`${dir}${script.name}.lua`, 'utf8');
    source = `${preludeFor(prelude, body.replace(/--.*$/gm, ''))}\n${body}`;
    sources.set(script.name, source);
  }
  return source;
}

const shas = new Map<string, string>();

/** The SHA1 of scriptSource(script): the name EVALSHA runs it by once it was loaded (by EVAL, or SCRIPT LOAD). */
export function scriptSha(script: AnyScript): string {
  let sha = shas.get(script.name);
  if (sha === undefined) {
    sha = createHash('sha1').update(scriptSource(script)).digest('hex');
    shas.set(script.name, sha);
  }
  return sha;
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
