import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { root } from './pages.js';

const run = promisify(execFile);

/** Runs an example the way the README says (`npm run example <file>`), without npm's own output. */
async function example(file: string, env: Record<string, string> = {}): Promise<string> {
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const { stdout } = await run(tsx, ['--conditions=@baton/source', '--tsconfig', 'tsconfig.base.json', file], {
    cwd: root,
    timeout: 30_000,
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
  });
  return stdout;
}

// Each example runs as its own process, the way a reader runs it: this file is in the cli tier
// (npm run test:cli), with the other tests that start processes.
describe('README and docs examples, each run as a process', () => {
  it.skipIf(inject('postgresUrl') === '')('the PostgreSQL example runs a task and a lock on the run’s own database', async () => {
    const out = await example('examples/postgres.ts', { DATABASE_URL: inject('postgresUrl') });
    expect(out).toContain('sent welcome mail to ada@example.com (attempt 1)');
    expect(out).toContain('finished: true');
    expect(out).toMatch(/holding nightly-report with fence \d+/);
  });

  it.skipIf(inject('postgresUrl') === '')('the PostgreSQL admin example pauses, inspects, redrives and purges on the run’s own database', async () => {
    const out = await example('examples/postgres-admin.ts', { DATABASE_URL: inject('postgresUrl') });
    expect(out).toContain('leased while paused: null');
    expect(out).toMatch(/state: 'active',\s+deadline: \d+,\s+holder: 'worker-1'/);
    expect(out).toContain("[ 'welcome-ada: Error: mailbox full' ]");
    expect(out).toContain('redriven: 1');
    expect(out).toContain("queues: [ 'emails' ] { waiting: 1, active: 0, delayed: 0, dead: 0, deadDropped: 0 }");
    expect(out).toMatch(/holder: \{ fence: 1, expiresInMs: \d+ \}/);
    expect(out).toContain('purged: 1');
  });

  it('quickstart runs a task through the scheduler and finishes it', async () => {
    const out = await example('examples/quickstart.ts');
    expect(out).toContain('sent welcome mail to ada@example.com (attempt 1)');
    expect(out).toContain('finished: true');
  });

  it('queue: idempotent enqueue, retry, dead letter and stats', async () => {
    const out = await example('examples/queue.ts');
    expect(out).toMatch(/status: 'queued'[\s\S]*status: 'duplicate'[\s\S]*status: 'finished'/);
    expect(out).toContain('2 Error: decoder crashed');
    expect(out).toContain('{ waiting: 0, active: 0, delayed: 1, dead: 1, deadDropped: 0 }');
    expect(out).toContain('dog: Error: still broken');
  });

  it('priorities: higher first, first in first out within one priority', async () => {
    const out = await example('examples/priorities.ts');
    expect(out.trim().split('\n')).toEqual(['100 password reset', '0 welcome mail', '0 invoice', '-10 weekly digest']);
  });

  it('limits: concurrency and rate across two nodes; a completion frees a slot; a window end serves the next', async () => {
    const out = await example('examples/limits.ts');
    expect(out.trim().split('\n')).toEqual(['east took 2, west took 0', 'a completion freed a slot: west took cy', 'west took dee when the window ended']);
  });

  it('results: request/response and stored results', async () => {
    const out = await example('examples/results.ts');
    expect(out.trim().split('\n')).toEqual(["{ state: 'finished', result: 12 }", "{ state: 'finished', result: 30 }", '30']);
  });

  it('events: progress and the life of a task, seen from another node', async () => {
    const out = await example('examples/events.ts');
    expect(out.trim().split('\n')).toEqual([
      "enqueued [ 'import-1' ]",
      "active [ 'import-1' ]",
      "progress import-1 { file: 'a.csv', done: 1, of: 2 }",
      "progress import-1 { file: 'b.csv', done: 2, of: 2 }",
      'completed import-1 { imported: 2 }',
    ]);
  });

  it('metrics: what this process did and what the queue holds, served on /metrics', async () => {
    const out = await example('examples/metrics.ts');
    expect(out.trim().split('\n')).toEqual([
      'baton_tasks_enqueued_total{queue="emails"} 2',
      'baton_tasks_completed_total{queue="emails"} 1',
      'baton_tasks_failed_total{queue="emails"} 1',
      'baton_tasks_dead_total{queue="emails"} 1',
      'baton_task_run_seconds_count{queue="emails",outcome="completed"} 1',
      'baton_task_run_seconds_count{queue="emails",outcome="failed"} 1',
      'baton_queue_tasks{queue="emails",state="dead"} 1',
    ]);
  });

  it('tracing: send and process spans, linked through the task, with the handler’s span inside process', async () => {
    const out = await example('examples/tracing.ts');
    expect(out.trim().split('\n')).toEqual([
      'send emails (parent: POST /signup, links: -)',
      'POST /signup (parent: -, links: -)',
      'send mail (parent: process emails, links: -)',
      'process emails (parent: -, links: send emails)',
    ]);
  });

  it('dashboard: mounted under /ops/baton/ of a node:http server, read by anyone, changed by admins only', async () => {
    const out = await example('examples/dashboard.ts');
    expect(out.trim().split('\n')).toEqual(['emails: 1 dead', 'as a viewer: 403', 'as an admin: { redriven: 1 }', 'welcome-ada is waiting']);
  });

  it('inspect: queues, get, a page walk of the dead letters, pause, redrive, remove and purge', async () => {
    const out = await example('examples/inspect.ts');
    expect(out.trim().split('\n')).toEqual([
      "[ 'mail' ]",
      'welcome-ada: attempt 1, held by node-1, lease ends in 30 s',
      'dead: welcome-bob (Error: invalid address)',
      '1 null',
      'welcome-bob again, attempt 1',
      'removed 2',
      '{ waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 }',
    ]);
  });

  it('cancel: a running and a delayed task, from another node', async () => {
    const out = await example('examples/cancel.ts');
    const lines = out.trim().split('\n');
    expect(lines).toContain('stopped: the user closed the tab');
    expect(lines).toContain('worker: movie was cancelled');
    expect(lines.filter((l) => !/^(rendering|stopped|worker)/.test(l))).toEqual([
      'cancelled',
      'cancelled',
      'already-cancelled',
      "{ state: 'cancelled', reason: 'the user closed the tab' }",
      "{ id: 'movie', status: 'cancelled' }",
    ]);
  });

  it('locks: withLock with a fence, a timeout error, and release on scope exit', async () => {
    const out = await example('examples/locks.ts');
    expect(out).toContain('report built under fence 1');
    expect(out).toContain('true LOCK_TIMEOUT');
    expect(out).toContain('free again: true');
    expect(out).not.toContain('lost the lock');
  });

  it('semaphores: at most the limit at once, weighted order of arrival, and a limit that disagrees refused', async () => {
    const out = await example('examples/semaphores.ts');
    expect(out).toContain('6 calls, at most 3 at once');
    expect(out).toContain('in use 2/3, waiting: [ 3, 1 ]');
    expect(out).toContain('tryAcquire past the line: null');
    expect(out).toContain('big (3 permits) then small (1 permit)');
    expect(out).toContain('true 3 fence true');
  });

  it('rwlocks: readers share, a writer waits and is not passed, a reader sees the latest write fence', async () => {
    const out = await example('examples/rwlocks.ts');
    expect(out).toContain('readers inside: 2');
    expect(out).toContain('a new reader now: null');
    expect(out).toContain("waiting: [ 'write' ]");
    expect(out).toMatch(/writing alone, fence 1\n/);
    expect(out).toContain('reader after the write sees fence 1 true');
  });

  it('registry: join and leave events and the live list', async () => {
    const out = await example('examples/registry.ts');
    expect(out.split('\n').filter((l) => /^(join|leave)/.test(l))).toEqual(['join: Node-01', 'join: Node-02', 'leave: Node-02']);
    expect(out).toContain("[ 'Node-01' ] Node-01");
  });

  it('election: one leader at a time, the term signal aborts on resign, fences grow', async () => {
    const out = await example('examples/election.ts');
    expect(out).toContain('A leads: true B leads: false fence: 1');
    expect(out).toContain('A: my term ended');
    expect(out).toContain('A leads: false B leads: true fence: 2');
    expect(out).toContain('led: true term: 2 candidates: 0');
  });

  it('periodic: one run per tick across three nodes', async () => {
    const out = await example('examples/periodic.ts');
    const [, runs, ticks] = /(\d+) runs, (\d+) distinct ticks/.exec(out) ?? [];
    expect(Number(runs)).toBeGreaterThanOrEqual(3);
    expect(runs).toBe(ticks);
  });

  it('cron: weekday report at 09:00 in Paris; the 02:30 backup runs at 03:30 on the night clocks go forward', async () => {
    const out = await example('examples/cron.ts');
    expect(out.trim().split('\n')).toEqual(['backup  Sun 03:30', 'backup  Mon 02:30', 'report  Mon 09:00']);
  });
});
