import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@baton/core';
import { QueueWaiter } from '../src/queue/queue-waiter.js';
import { channelName } from '../src/schema/identifiers.js';
import { contextOf, freshSchema, PgTestBed, postgresUrl, until } from './support.js';

/**
 * A claim reads the waiter's epoch before its statement and sleeps only if no wake-up came since.
 * The LISTEN connection can deliver an enqueue's NOTIFY before the claim's own answer arrives; a
 * waiter that dropped notifications while nobody slept lost that wake-up, and the worker slept
 * until the slow poll (2 s): the p99 of add → handler start was about a second.
 */
/** One macrotask turn: every pending continuation has run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe.skipIf(postgresUrl === '')('postgres adapter: queue waiter', () => {
  let bed: PgTestBed;
  afterEach(async () => {
    await bed.close();
  });

  async function setUp(label: string): Promise<{ waiter: QueueWaiter; clock: ManualClock; notify: (payload: string) => Promise<void> }> {
    bed = new PgTestBed(freshSchema(label));
    const clock = new ManualClock();
    const backend = bed.backend({ clock });
    await backend.ready();
    const channel = channelName(bed.schema, 'queue', 'q');
    const waiter = new QueueWaiter(contextOf(backend), channel);
    await waiter.ready();
    const sql = await bed.sql();
    return { waiter, clock, notify: async (payload) => void (await sql.query('SELECT pg_notify($1, $2)', [channel, payload])) };
  }

  it('a ready notification that arrives before anyone sleeps ends the next wait at once', async () => {
    const { waiter, notify } = await setUp('early');
    const epoch = waiter.epoch;
    await notify('0');
    expect(await until(() => waiter.epoch !== epoch, 3_000)).toBe(true);
    let woke = false;
    void waiter.wait(60_000, undefined, epoch).then(() => (woke = true));
    await flush();
    expect(woke).toBe(true);
  });

  it('a delayed task announced before anyone sleeps still cuts the next wait short when it falls due', async () => {
    const { waiter, clock, notify } = await setUp('early_due');
    const epoch = waiter.epoch;
    const timers = clock.pendingTimers();
    await notify('5000');
    // the timer for the due time is set on the manual clock once the notification is handled
    expect(await until(() => clock.pendingTimers() > timers, 3_000)).toBe(true);
    let woke = false;
    void waiter.wait(60_000, undefined, epoch).then(() => (woke = true));
    await clock.advance(4_999);
    await flush();
    expect(woke).toBe(false);
    await clock.advance(1);
    await flush();
    expect(woke).toBe(true);
  });
});
