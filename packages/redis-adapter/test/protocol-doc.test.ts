import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const scripts = readdirSync(join(root, 'src', 'scripts'))
  .filter((f) => f.endsWith('.lua') && f !== 'prelude.lua')
  .map((f) => f.replace(/\.lua$/, ''));
const protocol = readFileSync(join(root, 'PROTOCOL.md'), 'utf8');

// PROTOCOL.md names the script of every transition: a script renamed, added or removed without
// the page following would leave it describing a protocol that no longer exists.
describe('PROTOCOL.md', () => {
  it('names every Lua script of src/scripts', () => {
    expect(scripts.length).toBeGreaterThan(20);
    expect(scripts.filter((name) => !protocol.includes(`\`${name}`))).toEqual([]);
  });

  it('names no Lua script that does not exist', () => {
    const named = [...protocol.matchAll(/`([a-z][A-Za-z]+)\.lua`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((name) => name !== 'prelude' && !scripts.includes(name))).toEqual([]);
  });
});
