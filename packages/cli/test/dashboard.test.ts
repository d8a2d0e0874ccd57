import { afterEach, describe, expect, it } from 'vitest';
import { EXIT, run, type Io } from '../src/index.js';

/** An Io that records what the command prints, and whose stop request the test makes. */
function stoppableIo() {
  const out: string[] = [];
  const err: string[] = [];
  let requestStop!: () => void;
  const stopped = new Promise<void>((resolve) => (requestStop = resolve));
  let printed!: (url: string) => void;
  const url = new Promise<string>((resolve) => (printed = resolve));
  const io: Io = {
    out: (line) => {
      out.push(line);
      if (line.startsWith('http://')) printed(line);
    },
    err: (line) => err.push(line),
    interactive: false,
    ask: async () => '',
    readStdin: async () => '',
    env: {},
    stopRequested: () => stopped,
  };
  return { io, out, err, url, stop: requestStop };
}

const MEMORY = ['--url', 'memory:'];
const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

// Each test loads the demo and the dashboard in this process: seconds on a busy machine, not real-time waits.
describe('baton dashboard', { timeout: 15_000 }, () => {
  it('serves the page and the API of the memory: demo until asked to stop, then closes and exits 0', async () => {
    const { io, err, url, stop } = stoppableIo();
    stops.push(stop);
    const exit = run(['dashboard', '--port', '0', ...MEMORY], io);
    const base = await url;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(err).toEqual([`dashboard of memory at ${base}; Ctrl-C to stop`]);
    expect((await fetch(base)).headers.get('content-type')).toBe('text/html; charset=utf-8');
    const overview = (await (await fetch(`${base}api/overview`)).json()) as Record<string, unknown>;
    expect(overview).toMatchObject({ backend: 'memory', readOnly: false, queues: [{ name: 'emails' }, { name: 'reports', paused: true }] });
    expect(await (await fetch(`${base}api/leaders`)).json()).toMatchObject({ elections: [{ name: 'scheduler', led: true }] });
    expect(await (await fetch(`${base}api/locks`)).json()).toMatchObject({ locks: [{ resource: 'nightly-report', holder: { fence: 1 } }] });
    const redrive = await fetch(`${base}api/queues/emails/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ids":["welcome-ada"]}',
    });
    expect(await redrive.json()).toEqual({ redriven: 1 });
    stop();
    expect(await exit).toBe(EXIT.ok);
    await expect(fetch(base)).rejects.toThrow();
  });

  it('--read-only: the server refuses a redrive with 405; --queues adds queues to show', async () => {
    const { io, err, url, stop } = stoppableIo();
    stops.push(stop);
    const exit = run(['dashboard', '--port', '0', '--read-only', '--queues', 'audit,', ...MEMORY], io);
    const base = await url;
    expect(err[0]).toBe(`dashboard of memory, read-only at ${base}; Ctrl-C to stop`);
    const redrive = await fetch(`${base}api/queues/emails/retry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"all":true}' });
    expect(redrive.status).toBe(405);
    // --queues adds a queue the backend does not list (yet)
    const overview = (await (await fetch(`${base}api/overview`)).json()) as { queues: Array<{ name: string }> };
    expect(overview.queues.map((q) => q.name)).toEqual(['audit', 'emails', 'reports']);
    stop();
    expect(await exit).toBe(EXIT.ok);
  });

  it('a bad --port is bad usage (exit 2), a port in use too, before anything is served', async () => {
    for (const [port, message] of [
      ['eighty', /^baton: --port must be an integer >= 0, got "eighty"$/],
      ['70000', /^baton: --port must be at most 65535, got 70000$/],
    ] as const) {
      const { io, out, err } = stoppableIo();
      expect(await run(['dashboard', '--port', port, ...MEMORY], io)).toBe(EXIT.usage);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(message);
      expect(out).toEqual([]);
    }
    const first = stoppableIo();
    stops.push(first.stop);
    const running = run(['dashboard', '--port', '0', ...MEMORY], first.io);
    const port = new URL(await first.url).port;
    const second = stoppableIo();
    expect(await run(['dashboard', '--port', port, ...MEMORY], second.io)).toBe(EXIT.usage);
    expect(second.err).toEqual([`baton: cannot listen on 127.0.0.1:${port}: EADDRINUSE (the port is in use; pick another with --port)`]);
    first.stop();
    expect(await running).toBe(EXIT.ok);
  });
});
