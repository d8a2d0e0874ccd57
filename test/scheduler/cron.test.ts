import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, ManualClock, Scheduler, silentLogger, type Clock } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';

// Cron schedules across daylight saving time changes in a real zone, under a ManualClock: three
// nodes share one store; every fire time must run once, on one node.

const PARIS = 'Europe/Paris';
const HOUR = 3_600_000;

interface Run {
  tick: number;
  scheduledAt: number;
  nodeId: string;
  at: number;
}

const wallClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: PARIS,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'shortOffset',
});

/** Paris wall time of `ms`, e.g. '2026-03-29 03:30 GMT+2'. */
function paris(ms: number): string {
  const p = Object.fromEntries(wallClock.formatToParts(ms).map((part) => [part.type, part.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`;
}

describe('cron schedules (ManualClock, Europe/Paris 2026)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Three nodes running `expression` from `start` (ISO) for `hours`; the runs in order. */
  async function runNodes(expression: string, start: string, hours: number, skewsMs: number[] = [0, 0, 0]): Promise<Run[]> {
    const clock = new ManualClock(Date.parse(start));
    const store = new MemoryStore();
    const runs: Run[] = [];
    const nodes = skewsMs.map((skew, i) => {
      const backend = new MemoryBackend({ clock, store, logger: silentLogger });
      // Each node computes fire times from its own clock.
      const own: Clock = skew === 0 ? clock : { now: () => clock.now() + skew, sleep: (ms, signal) => clock.sleep(ms, signal) };
      const s = new Scheduler(backend, own, silentLogger, { nodeId: `n${i}`, nodeTtlMs: 600_000, recoverStalledIntervalMs: 600_000, idleWaitMs: 600_000 });
      s.every('nightly', expression, async ({ tick, scheduledAt, nodeId }) => void runs.push({ tick, scheduledAt, nodeId, at: clock.now() }), { tz: PARIS });
      cleanups.push(async () => {
        let stopped = false;
        const stopping = s.stop({ timeoutMs: 0 }).finally(() => (stopped = true));
        await clock.advanceUntil(() => stopped, { maxMs: 1_000_000, what: `node n${i} to stop` });
        await stopping;
        await backend.close();
      });
      return s;
    });
    await Promise.all(nodes.map((s) => s.start()));
    await clock.advance(hours * HOUR);
    for (const run of runs) expect(run.tick).toBe(run.scheduledAt);
    return runs;
  }

  it('spring forward (29 March): 02:30 runs once, at 03:30 after the gap; every other day at 02:30', async () => {
    const runs = await runNodes('30 2 * * *', '2026-03-28T01:00:00Z', 48);
    expect(runs.map((r) => paris(r.scheduledAt))).toEqual(['2026-03-28 02:30 GMT+1', '2026-03-29 03:30 GMT+2', '2026-03-30 02:30 GMT+2']);
    for (const run of runs) expect(run.at).toBe(run.scheduledAt);
  });

  it('fall back (25 October): 02:30 runs once, at its first occurrence (summer time)', async () => {
    const runs = await runNodes('30 2 * * *', '2026-10-24T00:00:00Z', 50);
    expect(runs.map((r) => paris(r.scheduledAt))).toEqual(['2026-10-24 02:30 GMT+2', '2026-10-25 02:30 GMT+2', '2026-10-26 02:30 GMT+1']);
  });

  it('an every-30-minutes job runs at every real half hour across both changes, each once', async () => {
    for (const [start, hours] of [
      ['2026-03-28T22:00:00Z', 6],
      ['2026-10-24T21:00:00Z', 6],
    ] as const) {
      const runs = await runNodes('*/30 * * * *', start, hours);
      const expected: number[] = [];
      for (let t = Date.parse(start); t <= Date.parse(start) + hours * HOUR; t += 30 * 60_000) expected.push(t);
      // No fire time twice, none skipped: every half hour of real time, and so every local half hour that exists.
      expect(runs.map((r) => r.scheduledAt)).toEqual(expected);
      const local = runs.map((r) => paris(r.scheduledAt).slice(11, 16));
      if (start.startsWith('2026-03'))
        expect(local.filter((t) => t.startsWith('02:'))).toEqual([]); // 02:00-03:00 does not exist
      else expect(local.filter((t) => t.startsWith('02:'))).toEqual(['02:00', '02:30', '02:00', '02:30']); // it happens twice
    }
  });

  it('nodes whose clocks disagree by 1.5 s still run each fire time once: the fire time is the id', async () => {
    const runs = await runNodes('* * * * *', '2026-06-01T08:00:30Z', 0.5, [-1_500, 0, 1_500]);
    const fires = runs.map((r) => r.scheduledAt);
    expect(fires).toHaveLength(30);
    for (let i = 1; i < fires.length; i++) expect(fires[i]! - fires[i - 1]!).toBe(60_000);
    // The node whose clock runs ahead reaches each fire time first and enqueues it; when the others
    // reach it 1.5 and 3 s later, its id is already running or finished.
    for (const run of runs) expect(run.at).toBe(run.scheduledAt - 1_500);
  });

  it('a bad expression or an unknown zone is an InvalidArgumentError naming it, at every()', async () => {
    const clock = new ManualClock();
    const backend = new MemoryBackend({ clock, logger: silentLogger });
    cleanups.push(() => backend.close());
    const s = new Scheduler(backend, clock, silentLogger);
    const noop = async (): Promise<void> => undefined;
    const refused = (fn: () => unknown): InvalidArgumentError => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        return error as InvalidArgumentError;
      }
      throw new Error('not refused');
    };
    expect(refused(() => s.every('a', '0 9 * * FOO', noop)).message).toMatch(/"schedule".*"0 9 \* \* FOO".*foo/);
    expect(refused(() => s.every('b', '61 * * * *', noop)).message).toContain('"61 * * * *"');
    expect(refused(() => s.every('c', '0 9 * *', noop)).message).toMatch(/has 4 fields/);
    expect(refused(() => s.every('d', '0 0 9 * * * *', noop)).message).toMatch(/has 7 fields/);
    expect(refused(() => s.every('e', '', noop)).argument).toBe('schedule');
    expect(refused(() => s.every('f', '0 9 * * *', noop, { tz: 'Mars/Olympus' })).message).toMatch(/"options\.tz".*"Mars\/Olympus"/);
    expect(refused(() => s.every('g', 60_000, noop, { tz: PARIS })).argument).toBe('options.tz');
    // nothing was registered by the refused calls; good ones still are
    s.every('a', '0 9 * * MON-FRI', noop, { tz: PARIS });
    s.every('six-fields', '*/10 * * * * *', noop);
    expect(() => s.every('a', '0 9 * * *', noop)).toThrow(/already registered/);
  });
});
