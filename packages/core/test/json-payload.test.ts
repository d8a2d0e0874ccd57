import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SerializationError } from '../src/errors/index.js';
import { serializePayload } from '../src/validation/index.js';

const MAX = 1_000_000;

/** Wraps `inner` in `depth` levels of alternating objects and arrays. */
function nest(inner: unknown, depth: number): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { k: value } : [value];
  return value;
}

function refusal(payload: unknown): string {
  try {
    serializePayload(payload, MAX);
  } catch (error) {
    expect(error).toBeInstanceOf(SerializationError);
    return (error as Error).message;
  }
  throw new Error('expected a SerializationError');
}

describe('serializePayload', () => {
  it('serializes primitives, plain objects, null-prototype objects and dense arrays as JSON.stringify does', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    for (const payload of ['s', 0, -1.5, true, null, { i: 1, s: 'x', n: null }, [1, [2, { b: false }]], bare, nest(7, 200)]) {
      expect(serializePayload(payload, MAX)).toBe(JSON.stringify(payload));
    }
  });

  it('refuses what JSON cannot carry, naming the path, at the top, shallow and below the fast-check depth', () => {
    const cases: Array<[unknown, RegExp]> = [
      [undefined, /undefined/],
      [() => 1, /function/],
      [Symbol('s'), /symbol/],
      [10n, /bigint/],
      [Number.NaN, /NaN/],
      [Number.POSITIVE_INFINITY, /Infinity/],
      [new Date(0), /Date/],
      [new Map(), /Map/],
      [[1, , 3], /sparse/], // eslint-disable-line no-sparse-arrays
      [{ [Symbol('k')]: 1 }, /symbol keys/],
      [[1, undefined], /undefined/],
    ];
    for (const [bad, message] of cases) {
      expect(refusal(bad)).toMatch(message);
      expect(refusal({ a: bad })).toMatch(message);
      expect(refusal(nest(bad, 40))).toMatch(message);
    }
    expect(refusal({ a: { b: [0, undefined] } })).toMatch(/payload\.a\.b\[1\] is undefined/);
  });

  it('refuses cycles, shallow and deeper than the fast check looks', () => {
    const shallow: Record<string, unknown> = {};
    shallow.self = shallow;
    expect(refusal(shallow)).toMatch(/circular/);
    const root: Record<string, unknown> = {};
    let tip = root;
    for (let i = 0; i < 50; i++) tip = (tip.next = {}) as Record<string, unknown>;
    tip.next = root;
    expect(refusal(root)).toMatch(/circular/);
  });

  it('counts UTF-8 bytes against maxBytes, multi-byte characters included', () => {
    expect(serializePayload('ab', 4)).toBe('"ab"');
    expect(() => serializePayload('abc', 4)).toThrow(InvalidArgumentError);
    // "é" is 2 UTF-8 bytes: "éé" as JSON is 4 characters but 6 bytes.
    expect(serializePayload('éé', 6)).toBe('"éé"');
    expect(() => serializePayload('ééé', 6)).toThrow(/8 bytes/);
  });
});
