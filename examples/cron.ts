import { ManualClock, Scheduler } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';

// Cron schedules in a time zone, run over four days of manual time (Paris moves its clocks
// forward on Sunday 29 March 2026: 02:00 becomes 03:00).
const clock = new ManualClock(Date.parse('2026-03-27T00:00:00+01:00')); // Friday, midnight in Paris
const backend = new MemoryBackend({ clock });
const scheduler = new Scheduler(backend, clock, undefined, { idleWaitMs: 60_000 });

const paris = (ms: number): string => new Date(ms).toLocaleString('en-GB', { timeZone: 'Europe/Paris', weekday: 'short', hour: '2-digit', minute: '2-digit' });
scheduler.every('report', '0 9 * * MON-FRI', async ({ scheduledAt }) => console.log(`report  ${paris(scheduledAt)}`), { tz: 'Europe/Paris' });
scheduler.every('backup', '30 2 * * *', async ({ scheduledAt }) => console.log(`backup  ${paris(scheduledAt)}`), { tz: 'Europe/Paris' });

await scheduler.start();
await clock.advance(4 * 24 * 3_600_000); // Friday 00:00 to Tuesday 00:00
await scheduler.stop();
await backend.close();
