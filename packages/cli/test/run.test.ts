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
      [['migrate', ...MEMORY], /^baton: migrate applies to PostgreSQL only; memory: needs no schema$/],
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
});
