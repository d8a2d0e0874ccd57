import { silentLogger } from '@baton/core';
import type { QueueUpgrade } from '@baton/redis-adapter';
import { UsageError } from '../cli-error.js';
import type { Command, CommandContext } from '../command.js';
import { backendKind, safeUrl } from '../open-backend.js';

/**
 * `baton migrate`: brings stored data to the format this release needs. On PostgreSQL it creates
 * or upgrades the schema (the deployment step before processes that run with `migrate: false`).
 * On Redis it converts the queues a first-generation Baton wrote under the prefix (found by SCAN,
 * or the queues named) to the current key layout (RedisBackend.upgradeQueues), one line per queue
 * and a summary. Idempotent on both. The CLI's other commands never migrate.
 */
export const migrateCommand: Command = {
  name: 'migrate',
  usage: '[queue...]',
  summary: 'upgrade stored data: the PostgreSQL schema, or Redis queues of an earlier Baton (--dry-run: only list them)',
  positionals: { min: 0, max: Infinity },
  read: false,
  flags: {
    'dry-run': { type: 'boolean', help: 'Redis: list the queues that need an upgrade and change nothing' },
    json: { type: 'boolean', help: 'print the result as JSON' },
  },
  async run(ctx) {
    const url = ctx.url();
    const kind = backendKind(url);
    if (kind === 'redis') return migrateRedis(ctx);
    if (kind !== 'postgres') throw new UsageError(`migrate applies to PostgreSQL and Redis only; ${safeUrl(url)} keeps nothing to migrate`);
    if (ctx.args.length > 0 || ctx.flags['dry-run'] === true)
      throw new UsageError('queue names and --dry-run apply to Redis only; a PostgreSQL schema is migrated whole');
    const { migrate } = await import('@baton/postgres-adapter');
    const result = await migrate({ connectionString: url, schema: ctx.prefix });
    if (ctx.json) ctx.io.out(JSON.stringify(result));
    else if (result.from === result.to) ctx.io.out(`schema "${result.schema}" is up to date (version ${result.to})`);
    else ctx.io.out(`schema "${result.schema}" migrated from version ${result.from} to ${result.to}`);
  },
};

/** "6 waiting, 2 delayed, …": the counts of one queue that are not 0. */
function counts(u: QueueUpgrade): string {
  const parts = (['waiting', 'delayed', 'active', 'dead', 'cancelled'] as const).filter((s) => u[s] > 0).map((s) => `${u[s]} ${s}`);
  if (u.unplaced > 0) parts.push(`${u.unplaced} queued nowhere`);
  return parts.length > 0 ? parts.join(', ') : 'no tasks';
}

/** How long (real ms) one queue's upgrade may run: a script call per queue, about 1 s per 100,000 tasks. */
const UPGRADE_TIMEOUT_MS = 600_000;

async function migrateRedis(ctx: CommandContext): Promise<void> {
  const dryRun = ctx.flags['dry-run'] === true;
  // its own backend: the other commands' 10 s command timeout would cut a large queue's upgrade short
  const { RedisBackend } = await import('@baton/redis-adapter');
  const backend = new RedisBackend({ url: ctx.url(), prefix: ctx.prefix, logger: silentLogger, connectTimeoutMs: 3_000, commandTimeoutMs: UPGRADE_TIMEOUT_MS });
  let upgrades: QueueUpgrade[];
  try {
    upgrades = await backend.upgradeQueues({ dryRun, ...(ctx.args.length > 0 ? { queues: ctx.args } : {}) });
  } finally {
    await backend.close();
  }
  const prefix = backend.prefix;
  if (ctx.json) {
    ctx.io.out(JSON.stringify({ prefix, dryRun, queues: upgrades }));
    return;
  }
  for (const u of upgrades) {
    if (!u.upgraded) ctx.io.out(`${u.queue}: up to date`);
    else ctx.io.out(`${u.queue}: ${dryRun ? 'would upgrade' : 'upgraded'} (${counts(u)})`);
  }
  const n = upgrades.filter((u) => u.upgraded).length;
  const queues = `${n} queue${n === 1 ? '' : 's'}`;
  if (n === 0) ctx.io.out(`no queue under prefix "${prefix}" needs an upgrade`);
  else if (dryRun) ctx.io.out(`${queues} under prefix "${prefix}" would be upgraded; nothing changed (run without --dry-run to upgrade)`);
  else ctx.io.out(`upgraded ${queues} under prefix "${prefix}"`);
}
