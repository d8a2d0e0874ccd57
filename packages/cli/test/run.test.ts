import { describe, expect, it } from 'vitest';
import { EXIT, run, type Io } from '../src/index.js';

/** An Io that records what a command prints, answers questions from a list, and is a terminal when asked to be. */
function fakeIo(options: { interactive?: boolean; answers?: string[]; env?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  const answers = [...(options.answers ?? [])];
  const io: Io = {
    out: (line) => out.push(...line.split('\n')),
    err: (line) => err.push(...line.split('\n')),
    interactive: options.interactive ?? false,
    ask: async (question) => {
      questions.push(question);
      return answers.shift() ?? '';
    },
    readStdin: async () => '',
    env: options.env ?? {},
    stopRequested: () => new Promise(() => undefined),
  };
  return { io, out, err, questions };
}

const MEMORY = ['--url', 'memory:'];

describe('baton run() (in process, on the memory: demo)', () => {
  it('bad usage: one line on stderr, exit code 2, nothing on stdout', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['enqueue', 'emails', '{"to":', ...MEMORY], /^baton: the payload is not JSON \(/],
      [['enqueue', 'emails', '{}', '--delay', 'soon', ...MEMORY], /^baton: --delay must be an integer >= 0, got "soon"$/],
      [['enqueue', 'emails', '{}', '--priority', '1.5', ...MEMORY], /^baton: --priority must be an integer, got "1.5"$/],
      [['frobnicate', ...MEMORY], /^baton: unknown command "frobnicate"; commands: /],
      [['stats', 'emails', '--frob', ...MEMORY], /^baton: Unknown option '--frob' for "baton stats" \(baton stats --help\)$/],
      [['stats', ...MEMORY], /^baton: missing arguments: baton stats <queue>/],
      [['stats', 'a', 'b', ...MEMORY], /^baton: unexpected argument "b": baton stats <queue>/],
      [['stats', 'emails', '--url', 'mongodb://db'], /^baton: --url must start with redis:\/\//],
      [['stats', 'emails'], /^baton: no backend: give --url <url> or set BATON_URL/],
      [['migrate', ...MEMORY], /^baton: migrate applies to PostgreSQL and Redis only; memory: keeps nothing to migrate$/],
      [['enqueue', 'emails', '{}', '--json', '--id', '', ...MEMORY], /^baton: Invalid argument "options.id"/],
    ];
    for (const [args, pattern] of cases) {
      const { io, out, err } = fakeIo();
      expect(await run(args, io), args.join(' ')).toBe(EXIT.usage);
      expect(err, args.join(' ')).toHaveLength(1);
      expect(err[0], args.join(' ')).toMatch(pattern);
      expect(out, args.join(' ')).toEqual([]);
    }
  });

  it('help: baton --help and baton help <command> on stdout with exit 0', async () => {
    const main = fakeIo();
    expect(await run(['--help'], main.io)).toBe(EXIT.ok);
    expect(main.out.join('\n')).toContain('Exit codes:');
    const one = fakeIo();
    expect(await run(['help', 'enqueue'], one.io)).toBe(EXIT.ok);
    expect(one.out[0]).toBe('Usage: baton enqueue <queue> <json|-> [flags]');
    expect(one.out.join('\n')).toMatch(/--priority <n> +higher is served sooner/);
    const flag = fakeIo();
    expect(await run(['nodes', '--help'], flag.io)).toBe(EXIT.ok);
    expect(flag.out[0]).toBe('Usage: baton nodes [group] [flags]');
  });

  it('BATON_URL picks the backend; --url wins over it', async () => {
    const env = fakeIo({ env: { BATON_URL: 'memory:' } });
    expect(await run(['stats', 'reports', '--json'], env.io)).toBe(EXIT.ok);
    expect(JSON.parse(env.out[0]!)).toMatchObject({ queue: 'reports', waiting: 2, active: 0, delayed: 0, dead: 0 });
    const both = fakeIo({ env: { BATON_URL: 'mongodb://nope' } });
    expect(await run(['stats', 'reports', ...MEMORY], both.io)).toBe(EXIT.ok);
  });

  it('an unexpected error is one line pointing at --debug, and --debug adds the stack', async () => {
    const { io, err } = fakeIo();
    const failing: Io = { ...io, readStdin: () => Promise.reject(new TypeError('stdin went away')) };
    expect(await run(['enqueue', 'emails', '-', ...MEMORY], failing)).toBe(EXIT.failed);
    expect(err).toEqual(['baton: TypeError: stdin went away (unexpected; run again with --debug for the stack)']);
    const debug = fakeIo();
    const failingDebug: Io = { ...debug.io, readStdin: () => Promise.reject(new TypeError('stdin went away')) };
    expect(await run(['enqueue', 'emails', '-', '--debug', ...MEMORY], failingDebug)).toBe(EXIT.failed);
    expect(debug.err[0]).toBe('baton: TypeError: stdin went away');
    expect(debug.err.slice(1).join('\n')).toMatch(/^\s+at /m);
  });

  it('destructive commands: --yes goes on; a terminal is asked; anywhere else they are refused with exit 2', async () => {
    const refused = fakeIo();
    expect(await run(['purge', 'emails', '--state', 'dead', ...MEMORY], refused.io)).toBe(EXIT.usage);
    expect(refused.err).toEqual(['baton: Remove every dead task of queue "emails" (2 now)? Refused: not on a terminal; add --yes to confirm']);
    const declined = fakeIo({ interactive: true, answers: ['n'] });
    expect(await run(['remove', 'emails', 'welcome-ada', ...MEMORY], declined.io)).toBe(EXIT.usage);
    expect(declined.questions).toEqual(['Remove task "welcome-ada" from queue "emails"? [y/N] ']);
    expect(declined.err).toEqual(['baton: not confirmed; nothing changed']);
    const accepted = fakeIo({ interactive: true, answers: ['yes'] });
    expect(await run(['purge', 'emails', '--state', 'dead', ...MEMORY], accepted.io)).toBe(EXIT.ok);
    expect(accepted.out).toEqual(['purged 2 dead tasks']);
    const yes = fakeIo();
    expect(await run(['remove', 'emails', 'welcome-ada', '--yes', ...MEMORY], yes.io)).toBe(EXIT.ok);
    expect(yes.out).toEqual(['removed welcome-ada']);
  });

  it('not found: an unknown queue, task or dead letter is exit 1 with one line', async () => {
    const cases: Array<[string[], string]> = [
      [['tasks', 'emials', ...MEMORY], 'baton: unknown queue "emials" (known queues: emails, reports)'],
      [['task', 'emails', 'nope', ...MEMORY], 'baton: no task "nope" in queue "emails" (unknown, or its end was forgotten)'],
      [['retry', 'emails', 'welcome-edsger', ...MEMORY], 'baton: none of the ids is a dead letter of queue "emails"'],
      [['remove', 'emails', 'nope', '--yes', ...MEMORY], 'baton: no task "nope" in queue "emails"'],
      [['pause', 'emials', ...MEMORY], 'baton: unknown queue "emials" (known queues: emails, reports)'],
    ];
    for (const [args, line] of cases) {
      const { io, out, err } = fakeIo();
      expect(await run(args, io), args.join(' ')).toBe(EXIT.notFound);
      expect(err, args.join(' ')).toEqual([line]);
      expect(out, args.join(' ')).toEqual([]);
    }
  });

  it('inspection: queues, one page of tasks with its cursor, one task, retry, pause and resume', async () => {
    const queues = fakeIo();
    expect(await run(['queues', '--json', ...MEMORY], queues.io)).toBe(EXIT.ok);
    expect(JSON.parse(queues.out[0]!)).toMatchObject([
      { queue: 'emails', waiting: 2, active: 1, delayed: 1, dead: 2, paused: false },
      { queue: 'reports', waiting: 2, active: 0, delayed: 0, dead: 0, paused: true },
    ]);
    const page = fakeIo();
    expect(await run(['tasks', 'emails', '--state', 'dead', '--limit', '1', ...MEMORY], page.io)).toBe(EXIT.ok);
    // Both died in the seeding's same millisecond or not: the most recent first, then by id.
    expect(page.out[1]).toMatch(/^welcome-(ada|alan) +1 +0 +died \S+ ago: Error: (SMTP 550|template "welcome")/);
    expect(page.out[2]).toMatch(/^next page: baton tasks emails --state dead --limit 1 --cursor \S+$/);
    const active = fakeIo();
    expect(await run(['task', 'emails', 'reset-linus', '--json', ...MEMORY], active.io)).toBe(EXIT.ok);
    expect(JSON.parse(active.out[0]!)).toMatchObject({ id: 'reset-linus', state: 'active', holder: 'node-1', priority: 10, attempt: 1 });
    const retry = fakeIo();
    expect(await run(['retry', 'emails', 'welcome-ada', 'welcome-edsger', ...MEMORY], retry.io)).toBe(EXIT.ok);
    expect(retry.out).toEqual(['redriven 1 of 2 (the others are not dead letters)']);
    for (const [command, line] of [
      ['pause', 'paused emails'],
      ['resume', 'resumed reports'],
    ]) {
      const { io, out } = fakeIo();
      expect(await run([command!, command === 'pause' ? 'emails' : 'reports', ...MEMORY], io)).toBe(EXIT.ok);
      expect(out).toEqual([line]);
    }
  });

  it('bad usage of the inspection commands: a bad state, page size or cursor is exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['tasks', 'emails', '--state', 'sleeping', ...MEMORY],
        /^baton: --state must be one of waiting, delayed, active, finished, dead, cancelled, got "sleeping"$/,
      ],
      [['tasks', 'emails', '--limit', '0', ...MEMORY], /^baton: --limit must be an integer >= 1, got "0"$/],
      [['tasks', 'emails', '--cursor', 'made-up', ...MEMORY], /^baton: Invalid argument "options.cursor"/],
      [['purge', 'emails', ...MEMORY], /^baton: --state must be one of /],
      [['purge', 'emails', '--state', 'active', '--yes', ...MEMORY], /^baton: --state active cannot be purged/],
      [['retry', 'emails', ...MEMORY], /^baton: give the ids of the dead letters to retry, or --all \(not both\)$/],
      [['retry', 'emails', 'a', '--all', ...MEMORY], /^baton: give the ids of the dead letters to retry, or --all/],
      [['remove', 'emails', 'reset-linus', '--yes', ...MEMORY], /^baton: task "reset-linus" is active: nothing changed; cancel it instead$/],
    ];
    for (const [args, pattern] of cases) {
      const { io, err } = fakeIo();
      expect(await run(args, io), args.join(' ')).toBe(EXIT.usage);
      expect(err, args.join(' ')).toHaveLength(1);
      expect(err[0], args.join(' ')).toMatch(pattern);
    }
  });

  it('locks and leader show a holder by its fence and time left; a name never used is exit 1', async () => {
    const lock = fakeIo();
    expect(await run(['locks', 'nightly-report', '--json', ...MEMORY], lock.io)).toBe(EXIT.ok);
    expect(JSON.parse(lock.out[0]!)).toEqual({ resource: 'nightly-report', holder: { fence: 1, expiresInMs: expect.any(Number) }, fence: 1, waiters: 0 });
    const text = fakeIo();
    expect(await run(['locks', 'nightly-report', ...MEMORY], text.io)).toBe(EXIT.ok);
    expect(text.out[1]).toMatch(/^state +held by fence 1, expires in \S+ unless extended$/);
    const leader = fakeIo();
    expect(await run(['leader', 'scheduler', '--json', ...MEMORY], leader.io)).toBe(EXIT.ok);
    expect(JSON.parse(leader.out[0]!)).toMatchObject({ name: 'scheduler', led: true, term: 1, candidates: 0 });
    for (const [args, line] of [
      [['locks', 'nightly-reprot', ...MEMORY], 'baton: lock "nightly-reprot" was never acquired and nobody waits for it'],
      [['leader', 'schedular', ...MEMORY], 'baton: election "schedular" never had a leader and has no candidates'],
    ] as Array<[string[], string]>) {
      const { io, out, err } = fakeIo();
      expect(await run(args, io)).toBe(EXIT.notFound);
      expect(err).toEqual([line]);
      expect(out).toEqual([]);
    }
  });
});
