import { ManualClock, Scheduler } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';

// Cron schedules in a time zone, over a day and a half of manual time that includes the night
// Paris moves its clocks forward (Sunday 29 March 2026: 02:00 becomes 03:00).
const clock = new ManualClock(Date.parse('2026-03-28T23:00:00+01:00')); // Saturday 23:00 in Paris
const backend = new MemoryBackend({ clock });
// long heartbeats and waits: fewer timers for the manual clock to step through
const scheduler = new Scheduler(backend, clock, undefined, { nodeTtlMs: 60_000, recoverStalledIntervalMs: 60_000, idleWaitMs: 60_000 });

const paris = (ms: number): string => new Date(ms).toLocaleString('en-GB', { timeZone: 'Europe/Paris', weekday: 'short', hour: '2-digit', minute: '2-digit' });
scheduler.every('report', '0 9 * * MON-FRI', async ({ scheduledAt }) => console.log(`report  ${paris(scheduledAt)}`), { tz: 'Europe/Paris' });
scheduler.every('backup', '30 2 * * *', async ({ scheduledAt }) => console.log(`backup  ${paris(scheduledAt)}`), { tz: 'Europe/Paris' });

await scheduler.start();
await clock.advance(34 * 3_600_000); // to Monday 10:00 (34 hours, one of them skipped)
await scheduler.stop();
await backend.close();
