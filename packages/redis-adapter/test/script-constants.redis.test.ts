import { readFileSync } from 'node:fs';
import { BackendDataError, MIN_PRIORITY } from '@baton/core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { decodeGrant, permitEntry, waiterEntry } from '../src/locks/lock-grants.js';
import { decodeDelivery, decodeEnvelope, DELIVERY_HEAD, encodeEnvelope, isDelivery } from '../src/queue/envelope.js';
import { idleMember } from '../src/queue/queue-waiter.js';
import { NO_PRIORITY } from '../src/queue/queue-scripts.js';
import { ReplyCode, toBatonError } from '../src/reply-codes.js';
import { scriptsDirectory } from '../src/script-loader.js';
import { Resources } from './helpers.js';

// What the Lua side and the TypeScript side both write or read: reply codes, the envelope and
// delivery heads, the lock and permits waiter entries, the grant messages, the idle member and
// the wrong-type error. Each is taken from the Lua prelude as Redis runs it (EVAL) and from the TypeScript module,
// so a change on one side only fails here.

const url = inject('redisUrl');
const r = new Resources();
const prelude = readFileSync(`${scriptsDirectory()}prelude.lua`, 'utf8');

/** Runs `body` after the prelude, as a script would; ARGV = `args`. */
function lua(body: string, ...args: Array<string | number>): Promise<unknown> {
  return r.raw(url).eval(`${prelude}\n${body}`, 0, ...args);
}

// NOT_HELD -> NotHeld
const camel = (name: string): string => name.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

describe.skipIf(url === '')(`constants shared by the Lua scripts and TypeScript${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterAll(() => r.closeAll());

  it('the prelude defines the same reply codes, by name and value, as ReplyCode', async () => {
    const block = prelude.slice(prelude.indexOf('-- Reply codes'), prelude.indexOf('\n\n', prelude.indexOf('-- Reply codes')));
    const names = [...block.matchAll(/^local ([A-Z_, ]+) = /gm)].flatMap((m) => m[1]!.split(',').map((n) => n.trim()));
    const enumNames = Object.keys(ReplyCode).filter((k) => Number.isNaN(Number(k)));
    expect(names.map(camel).sort()).toEqual(enumNames.sort());
    const values = (await lua(`return { ${names.join(', ')} }`)) as number[];
    expect(Object.fromEntries(names.map((n, i) => [camel(n), values[i]]))).toEqual(
      Object.fromEntries(enumNames.map((n) => [n, ReplyCode[n as keyof typeof ReplyCode]])),
    );
  });

  it('envelopes written on one side are read on the other', async () => {
    const plain = { id: 'a', json: '{"x":1}', delayMs: 0, priority: 0 };
    expect(encodeEnvelope(plain, 5).startsWith(String(await lua('return ENVELOPE_HEAD')))).toBe(true);
    const fromLua = String(await lua(`return envelope('id-1', '{"x":[1]}', 2, 1000, 'boom')`));
    expect(decodeEnvelope(fromLua, 'test')).toEqual({ id: 'id-1', payload: { x: [1] }, attempt: 2, enqueuedAt: 1000, priority: 0, lastError: 'boom' });
    const read = await lua(
      `local t = decode(ARGV[1], 0) return { t.id, t.payload, t.attempt, t.enqueuedAt }`,
      encodeEnvelope({ ...plain, id: 'id-2', json: '[]' }, 7),
    );
    expect(read).toEqual(['id-2', '[]', 0, 7]);
  });

  it('priority and headers survive both sides, and the scripts read the priority without decoding', async () => {
    const headers = { traceparent: '00-ab-01', 'x-ü': '"q",\\"priority\\":9' };
    const ts = encodeEnvelope({ id: 'p', json: '{"priority":3}', delayMs: 0, priority: -7, headers }, 1);
    // the same text from both sides, so a task re-enveloped by a script compares equal
    const same = await lua(`local t = decode(ARGV[1], 0) return envelope(t.id, t.payload, t.attempt, t.enqueuedAt, nil, t.priority, t.headers)`, ts);
    expect(same).toBe(ts);
    expect(decodeEnvelope(ts, 'test')).toMatchObject({ id: 'p', payload: { priority: 3 }, priority: -7, headers });
    expect(await lua('return envelope_priority(ARGV[1])', ts)).toBe(-7);
    expect(await lua('return envelope_priority(ARGV[1])', encodeEnvelope({ id: 'q', json: '{"a":",\\"priority\\":5"}', delayMs: 0, priority: 0 }, 1))).toBe(0);
    expect(await lua('return envelope_priority(ARGV[1])', 'raw element')).toBe(0);
    expect(await lua('return { NO_PRIORITY, MIN_PRIORITY }')).toEqual([NO_PRIORITY, MIN_PRIORITY]);
  });

  it('a delivery built by the scripts starts with DELIVERY_HEAD and decodes with its lease', async () => {
    expect(await lua('return DELIVERY_HEAD')).toBe(DELIVERY_HEAD);
    const text = String(await lua(`return delivery('base.5', 123456, envelope('id-3', '"p"', 1, 99))`));
    expect(isDelivery(text)).toBe(true);
    expect(decodeDelivery(text, 'test')).toEqual({
      task: { id: 'id-3', payload: 'p', attempt: 1, enqueuedAt: 99, priority: 0 },
      token: 'base.5',
      deadline: 123456,
    });
  });

  it('a lock waiter entry is the same text on both sides, and its fields read back', async () => {
    expect(await lua('return waiter_entry(ARGV[1], ARGV[2], ARGV[3])', 'tok', 5000, 'baton:lock-grants:x y')).toBe(
      waiterEntry('tok', 5000, 'baton:lock-grants:x y'),
    );
    expect(await lua('return { waiter_fields(ARGV[1]) }', waiterEntry('tok', 5000, 'ch'))).toEqual(['tok', '5000', 'ch']);
  });

  it('a permits waiter entry is the same text on both sides, and its fields read back', async () => {
    const entry = permitEntry('tok', 3, 5000, true, 'baton:lock-grants:x');
    expect(await lua('return permit_entry(ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5])', 'tok', 3, 5000, 1, 'baton:lock-grants:x')).toBe(entry);
    expect(await lua('return { permit_fields(ARGV[1]) }', entry)).toEqual(['tok', '3', '5000', '1', 'baton:lock-grants:x']);
    expect(await lua('return { permit_fields(ARGV[1]) }', permitEntry('tok', 1, 200, false, 'ch'))).toEqual(['tok', '1', '200', '0', 'ch']);
  });

  it('a grant message from a hand-off names the waiter, the fence and, for permits, the hand-off sequence', async () => {
    expect(decodeGrant(String(await lua(`return grant_message('tok', 7)`)))).toEqual({ token: 'tok', fence: 7, seq: undefined });
    expect(decodeGrant(String(await lua(`return grant_message('tok', 7, 12)`)))).toEqual({ token: 'tok', fence: 7, seq: 12 });
  });

  it('an idle member carries its wake channel and visibility timeout to the enqueue script', async () => {
    const channel = 'baton:waiters:0123abcd|odd';
    expect(await lua('local c, v = idle_fields(ARGV[1]) return { c, v }', idleMember(channel, 30_000))).toEqual([channel, 30_000]);
  });

  it('a wrong-type error raised by the scripts becomes a BackendDataError naming the key', async () => {
    const error = await lua(`error(wrong_type('set', 'list', 'the:key'))`).catch((e: unknown) => e);
    const mapped = toBatonError(error, 'test');
    expect(mapped).toBeInstanceOf(BackendDataError);
    expect(mapped.message).toContain('Redis key "the:key" holds a list, but Baton expects a set there');
  });
});
