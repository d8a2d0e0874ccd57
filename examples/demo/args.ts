import { parseArgs } from 'node:util';

/** The demo's command line, checked. */
export interface DemoArgs {
  nodes: number;
  tasks: number;
  concurrency: number;
  backend: 'memory' | 'redis' | 'postgres';
  url: string;
  killOne: boolean;
  help: boolean;
}

/** Thrown for a bad command line; the demo prints the message on one line and exits with 2. */
export class UsageError extends Error {}

export const HELP = `Usage: npm run demo -- [options]

Runs the Baton scheduler end to end: N nodes register, a producer enqueues M tasks, the nodes
lease and run them with simulated work (1 task in 47 fails its first attempt and is retried), a
periodic job ticks once per second across the cluster, and at the end a table shows what each node
did and the totals: tasks lost and tasks run twice are counted from what actually happened.

Options:
  --nodes <n>          number of nodes, 1-64 (default 3)
  --tasks <n>          number of tasks, 1-1000000 (default 10000)
  --concurrency <n>    tasks each node runs at once, 1-1000 (default 8)
  --backend <name>     memory: every node in this process, no server (default)
                       redis: every node is its own child process on one Redis
                       postgres: every node is its own child process on one PostgreSQL database
  --url <url>          Redis URL for --backend redis (default redis://127.0.0.1:6379; the demo's
                       keys start with "baton-demo:"), or PostgreSQL URL for --backend postgres
                       (default postgres://postgres@127.0.0.1:5432/postgres; the demo's tables are in
                       the schema baton_demo); finished ids are kept 10 minutes
  --kill-one           crash one node mid-run (redis: SIGKILL its process; memory: drop its
                       backend abruptly) to show its tasks coming back on the others
  -h, --help           show this help

Exit codes: 0 every task finished once, 1 tasks were lost or the run failed, 2 bad usage,
3 the Redis or PostgreSQL server cannot be reached.

Examples:
  npm run demo
  npm run demo -- --backend redis --url redis://127.0.0.1:6379 --nodes 4 --kill-one
  npm run demo -- --backend postgres --url postgres://postgres@127.0.0.1:5432/postgres --kill-one`;

function intFlag(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/** Parses and checks the command line; throws UsageError with a one-line message. */
export function parseDemoArgs(argv: string[]): DemoArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        nodes: { type: 'string' },
        tasks: { type: 'string' },
        concurrency: { type: 'string' },
        backend: { type: 'string' },
        url: { type: 'string' },
        'kill-one': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  const backend = (values.backend as string | undefined) ?? 'memory';
  if (backend !== 'memory' && backend !== 'redis' && backend !== 'postgres') {
    throw new UsageError(`--backend must be "memory", "redis" or "postgres", got "${backend}"`);
  }
  if (values.url !== undefined && backend === 'memory') throw new UsageError('--url only applies to --backend redis or postgres');
  const url = (values.url as string | undefined) ?? (backend === 'postgres' ? 'postgres://postgres@127.0.0.1:5432/postgres' : 'redis://127.0.0.1:6379');
  if (backend === 'postgres' && !/^postgres(ql)?:\/\/[^\s]+$/.test(url)) throw new UsageError(`--url must be a postgres:// URL, got "${url}"`);
  if (backend !== 'postgres' && !/^rediss?:\/\/[^\s]+$/.test(url)) throw new UsageError(`--url must be a redis:// or rediss:// URL, got "${url}"`);
  const args: DemoArgs = {
    nodes: intFlag('nodes', values.nodes as string | undefined, 3, 1, 64),
    tasks: intFlag('tasks', values.tasks as string | undefined, 10_000, 1, 1_000_000),
    concurrency: intFlag('concurrency', values.concurrency as string | undefined, 8, 1, 1_000),
    backend,
    url,
    killOne: values['kill-one'] === true,
    help: values.help === true,
  };
  if (args.killOne && args.nodes < 2) throw new UsageError('--kill-one needs at least 2 nodes, so another can take over');
  return args;
}
