import { afterEach, describe, expect, it } from 'vitest';
import { baton, collect, killStrays, lines, startBaton, waitForOutput } from './run-baton.js';

const MEMORY = ['--url', 'memory:'];

describe('baton on the memory: demo', { timeout: 60_000 }, () => {
  afterEach(() => killStrays());

  it('--help lists every command and the exit codes; baton alone is a usage error', async () => {
    const [help, bare] = await Promise.all([baton(['--help']), baton([])]);
    expect(help.code).toBe(0);
    for (const command of [
      'queues',
      'stats',
      'tasks',
      'task',
      'enqueue',
      'retry',
      'remove',
      'purge',
      'pause',
      'resume',
      'nodes',
      'locks',
      'leader',
      'watch',
      'dashboard',
      'migrate',
    ])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(help.stdout).toMatch(/^ {2}3 {2}backend unavailable/m);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('Usage: baton <command>');
  });

  it('stats shows the seeded counts as a table and as JSON', async () => {
    const [text, json] = await Promise.all([baton(['stats', 'emails', ...MEMORY]), baton(['stats', 'emails', ...MEMORY, '--json'])]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^dead\s+2$/m);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ queue: 'emails', waiting: 2, delayed: 1, dead: 2, active: 1 });
  });

  it('BATON_URL picks the backend when --url is not given; neither is a usage error', async () => {
    const [fromEnv, none] = await Promise.all([baton(['nodes', '--json'], { env: { BATON_URL: 'memory:' } }), baton(['nodes'])]);
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(JSON.parse(fromEnv.stdout).nodes.map((n: { id: string }) => n.id)).toEqual(['node-1', 'node-2']);
    expect(none.code).toBe(2);
    expect(lines(none.stderr)).toEqual(['baton: no backend: give --url <url> or set BATON_URL (--url memory: for a demo without a server)']);
  });

  it('enqueue takes a JSON payload from the argument or from stdin and prints the id', async () => {
    const [arg, stdin] = await Promise.all([
      baton(['enqueue', 'emails', '{"to":"ada@example.com"}', '--id', 'hello-1', ...MEMORY]),
      baton(['enqueue', 'emails', '-', '--json', ...MEMORY], { input: '{"to":"alan@example.com"}\n' }),
    ]);
    expect(arg.code, arg.stderr).toBe(0);
    expect(arg.stdout.trim()).toBe('queued hello-1');
    expect(stdin.code, stdin.stderr).toBe(0);
    expect(JSON.parse(stdin.stdout)).toMatchObject({ status: 'queued', id: expect.any(String) });
  });

  it('bad JSON gets one line on stderr and exit code 2, never a stack trace', async () => {
    const r = await baton(['enqueue', 'emails', '{"to":', ...MEMORY]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^baton: the payload is not JSON \(/);
    expect(r.stdout).toBe('');
  });

  it('a destructive command run from a script (stdin not a terminal) without --yes is refused and changes nothing', async () => {
    const r = await baton(['purge', 'emails', '--state', 'dead', ...MEMORY]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['baton: Remove every dead task of queue "emails" (2 now)? Refused: not on a terminal; add --yes to confirm']);
    expect(r.stdout).toBe('');
  });

  it('watch prints the demo traffic as it happens and stops cleanly on SIGINT', async () => {
    const child = startBaton(['watch', 'emails', ...MEMORY]);
    const done = collect(child, 30_000);
    await waitForOutput(child.stderr!, /watching queue "emails" on memory/);
    await waitForOutput(child.stdout!, /completed\s+\S+\s+result \{"ok":true,"n":1\}/);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}enqueued {2}\S+$/m);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}active {4}\S+$/m);
  });
});
