import { expect, it } from 'vitest';
import { ManualClock, Scheduler } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';

it('a job every 5 minutes runs 12 times in an hour, and a cron job at its fire times', async () => {
  const clock = new ManualClock(Date.parse('2026-06-01T08:00:00Z'));
  const backend = new MemoryBackend({ clock });
  // idle workers look for work every minute instead of every second: fewer steps for the manual
  // clock to take (stop() does not wait for an idle worker either way)
  const scheduler = new Scheduler(backend, clock, undefined, { idleWaitMs: 60_000 });
  const cleanups: number[] = [];
  const reports: string[] = [];
  scheduler.every('cleanup', 5 * 60_000, async ({ scheduledAt }) => void cleanups.push(scheduledAt));
  scheduler.every('report', '0,30 * * * *', async ({ scheduledAt }) => void reports.push(new Date(scheduledAt).toISOString()), { tz: 'UTC' });

  await scheduler.start(); // an interval job runs the current tick at start: 08:00
  await clock.advance(60 * 60_000 - 1); // an hour of manual time, in milliseconds of real time

  expect(cleanups).toHaveLength(12);
  expect(cleanups.every((at, i) => at === Date.parse('2026-06-01T08:00:00Z') + i * 5 * 60_000)).toBe(true);
  expect(reports).toEqual(['2026-06-01T08:00:00.000Z', '2026-06-01T08:30:00.000Z']);

  await scheduler.stop();
  await backend.close();
});
