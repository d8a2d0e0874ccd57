import { afterEach, describe, expect, inject, it } from 'vitest';
import { killStrays, runScript, total } from './run-ts.js';

const url = inject('redisUrl');
const postgresUrl = inject('postgresUrl');

describe('npm run demo', () => {
  afterEach(() => killStrays());

  it('runs on memory with small numbers and ends with the table and honest totals', async () => {
    const r = await runScript('examples/demo.ts', ['--nodes', '2', '--tasks', '300'], 60_000);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/node-1\s+\d+\s+\d+/);
    expect(r.stdout).toMatch(/node-2\s+\d+\s+\d+/);
    expect(total(r.stdout, 'tasks enqueued')).toBe(300);
    expect(total(r.stdout, 'tasks finished')).toBe(300);
    expect(total(r.stdout, 'tasks lost')).toBe(0);
    expect(total(r.stdout, 'tasks run twice')).toBe(0); // nobody crashed
    // Tasks run per node add up to at least every task once.
    const perNode = [...r.stdout.matchAll(/^node-\d+\s+\d+\s+(\d+)/gm)].map((m) => Number(m[1]));
    expect(perNode).toHaveLength(2);
    expect(perNode.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(300);
  }, 90_000);

  it("--kill-one on memory: the crashed node's tasks come back and none is lost", async () => {
    const r = await runScript('examples/demo.ts', ['--nodes', '3', '--tasks', '600', '--kill-one'], 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/node-3 .* killed/);
    expect(total(r.stdout, 'tasks finished')).toBe(600);
    expect(total(r.stdout, 'tasks lost')).toBe(0);
  }, 90_000);

  it('a bad flag value gets a one-line error and exit code 2; --help explains every flag', async () => {
    const cases = [['--nodes', 'zero'], ['--tasks', '-5'], ['--backend', 'mongo'], ['--frobnicate']];
    const results = await Promise.all(cases.map((args) => runScript('examples/demo.ts', args, 30_000)));
    for (const [i, args] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, args.join(' ')).toBe(2);
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(/^demo: /);
      expect(r.stdout).toBe('');
    }
    const help = await runScript('examples/demo.ts', ['--help'], 30_000);
    expect(help.code).toBe(0);
    for (const flag of ['--nodes', '--tasks', '--backend', '--url', '--kill-one', '--help']) expect(help.stdout).toContain(flag);
  }, 90_000);

  it.skipIf(url === '')(
    'runs on Redis with each of 2 nodes in its own process',
    async () => {
      const r = await runScript('examples/demo.ts', ['--backend', 'redis', '--url', url, '--nodes', '2', '--tasks', '300'], 60_000);
      expect(r.code, r.stderr).toBe(0);
      const pids = [...r.stdout.matchAll(/^node-\d+\s+(\d+)/gm)].map((m) => Number(m[1]));
      expect(pids).toHaveLength(2);
      expect(new Set(pids).size).toBe(2); // two processes
      expect(total(r.stdout, 'tasks finished')).toBe(300);
      expect(total(r.stdout, 'tasks lost')).toBe(0);
    },
    90_000,
  );

  it.skipIf(postgresUrl === '')(
    'runs on PostgreSQL with each of 2 nodes in its own process, one of them killed mid-run',
    async () => {
      const r = await runScript('examples/demo.ts', ['--backend', 'postgres', '--url', postgresUrl, '--nodes', '2', '--tasks', '300', '--kill-one'], 60_000);
      expect(r.code, r.stderr).toBe(0);
      const pids = [...r.stdout.matchAll(/^node-\d+\s+(\d+)/gm)].map((m) => Number(m[1]));
      expect(new Set(pids).size).toBe(2);
      expect(total(r.stdout, 'tasks finished')).toBe(300);
      expect(total(r.stdout, 'tasks lost')).toBe(0);
    },
    90_000,
  );
});
