import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { preludeBlocks, preludeFor, SCRIPTS, scriptSource, scriptsDirectory } from '../src/script-loader.js';
import type { AnyScript } from '../src/script.js';

// Each script is declared once in TypeScript (its *-scripts.ts) and once in its .lua header; this
// holds the two together, so a key or argument added, dropped or moved on one side only fails here
// instead of in production. No server needed: it reads the files.

const dir = scriptsDirectory();
const read = (file: string): string => readFileSync(`${dir}${file}`, 'utf8');

interface Header {
  title: string | undefined;
  keys: Array<{ index: number; name: string }>;
  args: Array<{ index: number; name: string }>;
  rest: { index: number; name: string; fields: string[] } | undefined;
  returns: boolean;
}

/** The comment lines a script opens with. */
function parseHeader(source: string): Header {
  const lines: string[] = [];
  for (const line of source.split('\n')) {
    if (!line.startsWith('--')) break;
    lines.push(line);
  }
  const header: Header = { title: /^-- (\w+):/.exec(lines[0] ?? '')?.[1], keys: [], args: [], rest: undefined, returns: false };
  for (const line of lines) {
    const key = /^-- KEYS\[(\d+)\] (\w+):/.exec(line);
    const arg = /^-- ARGV\[(\d+)\] (\w+):/.exec(line);
    const rest = /^-- ARGV\[(\d+)\.\.\] (\w+) \(([\w, ]+)\):/.exec(line);
    if (key) header.keys.push({ index: Number(key[1]), name: key[2]! });
    if (arg) header.args.push({ index: Number(arg[1]), name: arg[2]! });
    if (rest) header.rest = { index: Number(rest[1]), name: rest[2]!, fields: rest[3]!.split(',').map((f) => f.trim()) };
    if (line.startsWith('-- Returns:')) header.returns = true;
  }
  return header;
}

/** The script's code lines without comments. */
function codeLines(source: string): string[] {
  return source
    .split('\n')
    .map((line) => line.replace(/--.*$/, '').trimEnd())
    .filter((line) => line.trim() !== '');
}

function bindingOf(line: string): { local: string; source: 'KEYS' | 'ARGV'; index: number } | undefined {
  const m = /^local (\w+) = .*\b(KEYS|ARGV)\[(\d+)\]/.exec(line);
  if (!m || (line.match(/\b(KEYS|ARGV)\[/g) ?? []).length !== 1) return undefined;
  return { local: m[1]!, source: m[2] as 'KEYS' | 'ARGV', index: Number(m[3]) };
}

describe('Lua script declarations', () => {
  it('every .lua file but the prelude is declared once, and every declaration has its file', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.lua') && f !== 'prelude.lua')
      .map((f) => f.slice(0, -4))
      .sort();
    const declared = SCRIPTS.map((s) => s.name).sort();
    expect(declared).toEqual([...new Set(declared)]);
    expect(declared).toEqual(files);
  });

  it('the prelude reads no KEYS or ARGV (scripts pass it what it needs)', () => {
    const reads = codeLines(read('prelude.lua')).filter((line) => /\b(KEYS|ARGV)\b/.test(line));
    expect(reads).toEqual([]);
  });

  describe.each(SCRIPTS.map((script) => [script.name, script] as [string, AnyScript]))('%s', (name, script) => {
    const source = read(`${name}.lua`);
    const header = parseHeader(source);
    const code = codeLines(source);
    const fixed = script.args.length;

    it('its header names it and lists the declared KEYS, ARGV and a return value, in order', () => {
      expect(header.title).toBe(name);
      expect(header.keys).toEqual(script.keys.map((key, i) => ({ index: i + 1, name: key })));
      expect(header.args).toEqual(script.args.map((arg, i) => ({ index: i + 1, name: arg })));
      expect(header.rest).toEqual(script.rest && { index: fixed + 1, name: script.rest.name, fields: [...script.rest.fields] });
      expect(header.returns).toBe(true);
    });

    it('binds each KEYS and ARGV to a local of its name, and reads them nowhere else', () => {
      const bindings = code.map(bindingOf).filter((b) => b !== undefined);
      expect(bindings.filter((b) => b.source === 'KEYS')).toEqual(script.keys.map((key, i) => ({ local: `${key}Key`, source: 'KEYS', index: i + 1 })));
      expect(bindings.filter((b) => b.source === 'ARGV')).toEqual(script.args.map((arg, i) => ({ local: arg, source: 'ARGV', index: i + 1 })));
      const stray = code.filter((line) => /\bKEYS\b|\bARGV\[\d/.test(line) && bindingOf(line) === undefined);
      expect(stray).toEqual([]);
    });

    it('reads a list of items only when it declares one, from the declared position', () => {
      const from = code.filter((line) => /^local \w+From = \d+$/.test(line));
      const readsTail = code.some((line) => /#ARGV|ARGV\[[a-z]|\bARGV\b(?!\[)/.test(line));
      if (script.rest) {
        expect(from).toEqual([`local ${script.rest.name}From = ${fixed + 1}`]);
        expect(readsTail).toBe(true);
      } else {
        expect(from).toEqual([]);
        expect(readsTail).toBe(false);
      }
    });
  });
});

describe('the prelude a script carries', () => {
  const prelude = [
    '-- a comment',
    'local A, B = 1, 2',
    '',
    'local function one()',
    '  return A',
    'end',
    '-- another',
    'local function two()',
    '  return one() + B',
    'end',
    'local function three()',
    '  return 3',
    'end',
  ].join('\n');

  it('is the statements it uses and theirs in turn, in prelude order, without comments', () => {
    const blocks = preludeBlocks(prelude);
    expect(blocks.map((b) => b.names)).toEqual([['A', 'B'], ['one'], ['two'], ['three']]);
    expect(preludeFor(blocks, 'return two()')).toBe(
      ['local A, B = 1, 2', 'local function one()', '  return A', 'end', 'local function two()', '  return one() + B', 'end'].join('\n'),
    );
    expect(preludeFor(blocks, 'return three()')).toBe(['local function three()', '  return 3', 'end'].join('\n'));
    expect(preludeFor(blocks, 'return 1')).toBe('');
  });

  it('leaves out the queue helpers from a lock script, and keeps those a queue script calls', () => {
    const helper = (name: string, source: string): boolean => new RegExp(`^local function ${name}\\b`, 'm').test(source);
    const acquire = scriptSource(SCRIPTS.find((s) => s.name === 'acquireLock')!);
    expect(helper('hand_over', acquire)).toBe(true);
    expect(helper('server_ms', acquire)).toBe(true);
    expect(helper('envelope', acquire)).toBe(false);
    expect(helper('settle_permits', acquire)).toBe(false);
    const enqueue = scriptSource(SCRIPTS.find((s) => s.name === 'enqueueTasks')!);
    for (const name of ['call', 'wrong_type', 'sliced', 'server_ms', 'envelope', 'decode', 'within_retention', 'revive_dead'])
      expect(helper(name, enqueue)).toBe(true);
    expect(helper('hand_over', enqueue)).toBe(false);
  });
});
