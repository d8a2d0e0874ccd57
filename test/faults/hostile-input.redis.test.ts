// Fault family 6: hostile data and bad input. Garbage list elements, keys of the wrong type, a
// payload over maxPayloadBytes, handlers that throw non-Error values or never settle. Each gives
// a typed error or a dead letter with the reason, and the worker keeps serving the other tasks.
import { isBatonError, Scheduler, silentLogger, SystemClock, type Task } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../setup/eventually.js';
import { startRedisServer, type RedisServerHandle } from '../setup/redis-server.js';
import { recordFigures } from './support/results.js';

const available = inject('redisUrl') !== '';

let server: RedisServerHandle | undefined;
let backend: RedisBackend;
let raw: Redis;
const schedulers: Scheduler[] = [];
/** Bad input tried -> what happened; written to results.json for the table in test/faults/README.md. */
const outcomes: Record<string, string> = {};

beforeAll(async () => {
  if (!available) return;
  server = await startRedisServer();
  backend = new RedisBackend({ url: server.url, prefix: 'hostile', logger: silentLogger });
  raw = new Redis(server.url);
});

afterAll(async () => {
  await Promise.allSettled(schedulers.map((s) => s.stop({ timeoutMs: 0 })));
  await backend?.close();
  raw?.disconnect();
  await server?.stop();
  if (Object.keys(outcomes).length > 0) recordFigures('hostile-input', outcomes);
});

/** A started scheduler on the test's backend with short intervals. */
async function node(setup: (s: Scheduler) => void): Promise<Scheduler> {
  const s = new Scheduler(backend, new SystemClock(), silentLogger, { idleWaitMs: 100, recoverStalledIntervalMs: 200, errorBackoffMs: 100, nodeTtlMs: 5_000 });
  setup(s);
  schedulers.push(s);
  await s.start();
  return s;
}

describe.skipIf(!available)(`hostile data and bad input${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  it('garbage elements in a queue list: corrupt envelopes are dead-lettered with the reason, foreign strings run as raw tasks, real tasks go on', async () => {
    const handled: Task<unknown>[] = [];
    await node((s) => s.handle('garbage', async (task) => void handled.push(task), { concurrency: 2 }));
    const q = backend.queue('garbage');
    await q.enqueue({ n: 1 }, { id: 'real-1' });
    const big = 'x'.repeat(300_000);
    const garbage: Array<string | Buffer> = [
      '{"baton":1,"id":"half',
      '{"baton":1,"payload":"{}"}',
      '{"baton":1,"id":"no-attempt","payload":"1"}',
      'plain text',
      'café ✓ 🎉',
      Buffer.from([0xff, 0xfe, 0x00, 0x01]),
      big,
    ];
    await raw.lpush('hostile:{queue:garbage}:wait', ...garbage);
    await q.enqueue({ n: 2 }, { id: 'real-2' });
    await eventually(async () => handled.some((t) => t.id === 'real-2') && (await q.stats()).active === 0, { what: 'real-2 handled' });
    const ids = handled.map((t) => t.id);
    const dead = await q.deadLetters();
    expect(ids).toContain('real-1');
    expect(ids).toContain('plain text');
    expect(handled.find((t) => t.id === 'plain text')!.payload).toBe('plain text');
    expect(ids).toContain(big);
    expect(ids).toContain('café ✓ 🎉');
    expect(dead.map((d) => d.lastError)).toEqual([
      expect.stringMatching(/^corrupt envelope \(not UTF-8 text\)/),
      expect.stringMatching(/^corrupt envelope \(no attempt or enqueuedAt\)/),
      expect.stringMatching(/^corrupt envelope \(no string id\)/),
      expect.stringMatching(/^corrupt envelope \(not valid JSON\)/),
    ]);
    expect(await q.stats()).toEqual({ waiting: 0, active: 0, delayed: 0, dead: 4, deadDropped: 0 });
    expect(handled).toHaveLength(5);
    outcomes['truncated or malformed envelope in the wait list'] = 'dead letter, lastError "corrupt envelope (<reason>): <first 200 chars>"; next task served';
    outcomes['bytes that are not UTF-8 in the wait list'] = 'dead letter, lastError "corrupt envelope (not UTF-8 text)"; next task served';
    outcomes['foreign string (plain text, unicode, 300 kB) in the wait list'] = 'run as a raw task whose id and payload are the string';
  });

  it('a key of the wrong type gives BackendDataError naming the key; the worker reports it and its other queue keeps working', async () => {
    await raw.set('hostile-wrong', 'not a list');
    const errors: unknown[] = [];
    const done: string[] = [];
    await node((s) => {
      s.handle('bound-wrong', async () => undefined, { queue: { keys: { waiting: 'hostile-wrong' } } });
      s.handle('healthy', async (task) => void done.push(task.id));
      s.on('error', (error: unknown) => errors.push(error));
    });
    const bad = backend.queue('bound-wrong', { keys: { waiting: 'hostile-wrong' } });
    const error = await bad.enqueue('x').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isBatonError(error, 'BACKEND_DATA')).toBe(true);
    expect((error as Error).message).toContain('"hostile-wrong" holds a string, but Baton expects a list');
    await backend.queue('healthy').enqueue('ok', { id: 'healthy-1' });
    await eventually(() => done.includes('healthy-1') && errors.length > 0, { what: 'the healthy queue served and the bad one reported' });
    expect(errors.every((e) => isBatonError(e, 'BACKEND_DATA'))).toBe(true);
    expect(await raw.get('hostile-wrong')).toBe('not a list');
    await raw.hset('hostile-lock-hash', 'f', '1');
    const lockError = await backend
      .locks({ keys: { lock: () => 'hostile-lock-hash' } })
      .tryAcquire('r')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isBatonError(lockError, 'BACKEND_DATA')).toBe(true);
    outcomes['key of the wrong type (WRONGTYPE) under a queue, lock or registry'] =
      'BackendDataError (BACKEND_DATA) naming the key and both types; the key is left untouched; scheduler emits "error" and its other queues keep working';
  });

  it('a payload over maxPayloadBytes, or one JSON cannot carry, is refused at enqueue and nothing is stored', async () => {
    const q = backend.queue('limits', { maxPayloadBytes: 1_024 });
    const over = await q.enqueue('y'.repeat(2_000)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isBatonError(over, 'INVALID_ARGUMENT')).toBe(true);
    expect((over as Error).message).toMatch(/serializes to 2002 bytes, over maxPayloadBytes \(1024\)/);
    const bigint = await q.enqueue({ n: 10n } as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isBatonError(bigint, 'SERIALIZATION')).toBe(true);
    const many = await q.enqueueMany([{ payload: 'fine' }, { payload: 'z'.repeat(5_000) }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isBatonError(many, 'INVALID_ARGUMENT')).toBe(true);
    expect(await q.stats()).toEqual({ waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 });
    outcomes['payload over maxPayloadBytes'] =
      'InvalidArgumentError (INVALID_ARGUMENT) with the size and the limit; nothing stored (enqueueMany stores none of the batch)';
    outcomes['payload JSON cannot carry (BigInt, undefined, NaN, cycles, Date, Map)'] = 'SerializationError (SERIALIZATION) naming the path; nothing stored';
  });

  it('handlers that throw non-Error values dead-letter with a readable reason, and the worker goes on', async () => {
    const circular: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    circular.self = circular;
    const thrown: Record<string, unknown> = {
      string: 'plain string',
      number: 42,
      null: null,
      undefined,
      object: { code: 'E_X', detail: [1, 2] },
      symbol: Symbol('sym'),
      circularNullProto: circular,
      errorWithoutMessage: new Error(),
    };
    const completed: string[] = [];
    await node((s) =>
      s.handle<string>(
        'throwers',
        async (task) => {
          if (task.payload in thrown) throw thrown[task.payload];
          completed.push(task.id);
        },
        { queue: { maxAttempts: 1 } },
      ),
    );
    const q = backend.queue<string>('throwers', { maxAttempts: 1 });
    for (const kind of Object.keys(thrown)) await q.enqueue(kind, { id: kind });
    await q.enqueue('fine', { id: 'after' });
    await eventually(async () => (await q.stats()).dead === Object.keys(thrown).length && completed.includes('after'), { what: 'every thrower dead-lettered' });
    const reasons = Object.fromEntries((await q.deadLetters()).map((d) => [d.id, d.lastError]));
    expect(reasons).toEqual({
      string: 'plain string',
      number: '42',
      null: 'null',
      undefined: 'undefined',
      object: '{"code":"E_X","detail":[1,2]}',
      symbol: 'Symbol(sym)',
      circularNullProto: expect.any(String),
      errorWithoutMessage: 'Error',
    });
    outcomes['handler throws a non-Error (string, number, null, undefined, object, symbol, unprintable object)'] =
      `dead letter after maxAttempts with lastError ${JSON.stringify(reasons)}`;
  });

  it('a handler that never settles is cut off by timeoutMs (TaskTimeoutError), retried, then dead-lettered; the slot is freed', async () => {
    const aborted: string[] = [];
    const completed: string[] = [];
    await node((s) =>
      s.handle<string>(
        'stuck',
        async (task, ctx) => {
          if (task.payload === 'hang') {
            ctx.signal.addEventListener('abort', () => aborted.push(String((ctx.signal.reason as Error).name)));
            await new Promise<never>(() => undefined);
          }
          completed.push(task.id);
        },
        { concurrency: 1, timeoutMs: 300, queue: { maxAttempts: 2, backoff: { baseMs: 10, maxMs: 10 } } },
      ),
    );
    const q = backend.queue<string>('stuck', { maxAttempts: 2 });
    await q.enqueue('hang', { id: 'hang' });
    await q.enqueue('fine', { id: 'after-hang' });
    await eventually(async () => (await q.stats()).dead === 1 && completed.includes('after-hang'), { what: 'the hung task dead and the next one done' });
    const [dead] = await q.deadLetters();
    expect(dead!.id).toBe('hang');
    expect(dead!.lastError).toMatch(/^TaskTimeoutError: Task "hang" ran longer than its timeout of 300 ms/);
    expect(aborted).toEqual(['TaskTimeoutError', 'TaskTimeoutError']);
    outcomes['handler that never settles (timeoutMs 300)'] =
      'signal aborts with TaskTimeoutError at 300 ms, the attempt fails and is retried; after maxAttempts a dead letter "TaskTimeoutError: …"; concurrency slot freed, next task runs';
  });
});
