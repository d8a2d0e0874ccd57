import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../setup/redis-server.js';
import { killStrays, runScript } from './run-ts.js';

/** stderr without npm's own warnings. */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
}

describe('npm run demo against a server that is not there', () => {
  afterEach(() => killStrays());

  it('an unreachable Redis gets one line naming the address and exit code 3, no stack trace', async () => {
    const port = await freePort(); // nothing listens on it
    const r = await runScript('examples/demo.ts', ['--backend', 'redis', '--url', `redis://127.0.0.1:${port}`, '--nodes', '2', '--tasks', '10'], 30_000);
    expect(r.code, r.stderr).toBe(3);
    const lines = errorLines(r.stderr);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^demo: Redis at redis://127\\.0\\.0\\.1:${port} cannot be used: .*ECONNREFUSED`));
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack frame
  }, 60_000);

  it('an unreachable PostgreSQL gets one line and exit code 3 too', async () => {
    const port = await freePort();
    const r = await runScript(
      'examples/demo.ts',
      ['--backend', 'postgres', '--url', `postgres://postgres@127.0.0.1:${port}/postgres`, '--nodes', '2', '--tasks', '10'],
      30_000,
    );
    expect(r.code, r.stderr).toBe(3);
    const lines = errorLines(r.stderr);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^demo: PostgreSQL at .* ECONNREFUSED/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
