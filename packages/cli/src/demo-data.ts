import type { Backend } from '@baton/core';

/** The queues the `memory:` demo holds, for the help text and the docs. */
export const DEMO_QUEUES = ['emails', 'reports'] as const;

/**
 * Fills a fresh memory backend with something to look at, so the CLI can be tried without a
 * server (`baton queues --url memory:`): queue `emails` with waiting, delayed, active, finished
 * and dead tasks, queue `reports` paused with waiting ones, nodes `node-1` and `node-2` in group `baton`, lock `nightly-report` held
 * and election `scheduler` led. The state lives in the process and is seeded again on every run, so
 * changes (retry, purge, …) show in the command's own output only.
 */
export async function seedDemo(backend: Backend): Promise<void> {
  // One attempt, so a failed task goes straight to the dead letters.
  const emails = backend.queue('emails', { maxAttempts: 1 });
  await emails.enqueueMany([
    { id: 'welcome-ada', payload: { to: 'ada@example.com', template: 'welcome' } },
    { id: 'welcome-alan', payload: { to: 'alan@example.com', template: 'welcome' } },
    { id: 'invoice-1041', payload: { to: 'billing@example.com', template: 'invoice', invoice: 1041 } },
    { id: 'digest-grace', payload: { to: 'grace@example.com', template: 'digest' } },
  ]);
  // The first two leases die, the next two complete.
  for (const reason of ['SMTP 550: mailbox unavailable', 'template "welcome" has no subject']) {
    const lease = await emails.dequeue();
    if (lease) await emails.fail(lease, new Error(reason));
  }
  for (let i = 0; i < 2; i++) {
    const lease = await emails.dequeue();
    if (lease) await emails.complete(lease, { result: { messageId: `<${lease.id}@mail.example.com>` } });
  }
  await emails.enqueueMany([
    { id: 'reset-linus', payload: { to: 'linus@example.com', template: 'password-reset' }, priority: 10 },
    { id: 'welcome-barbara', payload: { to: 'barbara@example.com', template: 'welcome' } },
    { id: 'welcome-edsger', payload: { to: 'edsger@example.com', template: 'welcome' } },
    { id: 'newsletter-december', payload: { template: 'newsletter', segment: 'all' }, delayMs: 3_600_000 },
  ]);
  // The highest priority goes first: node-1 is working on the password reset.
  await emails.dequeue({ holder: 'node-1' });

  const reports = backend.queue('reports');
  await reports.enqueueMany([
    { id: 'sales-2026-11', payload: { report: 'sales', month: '2026-11' } },
    { id: 'usage-2026-11', payload: { report: 'usage', month: '2026-11' } },
  ]);
  await reports.pause();

  const registry = backend.registry('baton', { ttlMs: 60_000 });
  await registry.register({ id: 'node-1', meta: { host: 'web-1', pid: 4101 } });
  await registry.register({ id: 'node-2', meta: { host: 'web-2', pid: 4102 } });

  // Extended for as long as the process runs, as the registrations heartbeat: a dashboard left
  // open past the TTL still shows the lock held and the election led.
  await backend.locks().acquire('nightly-report', { ttlMs: 60_000, waitMs: 0, autoExtend: true });
  // node-1 leads election "scheduler": its lock, as elect() takes it.
  await backend.locks().acquire('election:scheduler', { ttlMs: 60_000, waitMs: 0, autoExtend: true });
}
