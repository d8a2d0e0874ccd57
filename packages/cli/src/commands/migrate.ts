import { UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { backendKind, safeUrl } from '../open-backend.js';

/**
 * `baton migrate`: brings a PostgreSQL schema to the version this release needs (the deployment
 * step before processes that run with `migrate: false`). The CLI's other commands never migrate.
 */
export const migrateCommand: Command = {
  name: 'migrate',
  usage: '',
  summary: 'create or upgrade the PostgreSQL schema (--prefix names it; default baton)',
  positionals: { min: 0, max: 0 },
  read: false,
  flags: { json: { type: 'boolean', help: 'print the versions as JSON' } },
  async run(ctx) {
    const url = ctx.url();
    if (backendKind(url) !== 'postgres') throw new UsageError(`migrate applies to PostgreSQL only; ${safeUrl(url)} needs no schema`);
    const { migrate } = await import('@baton/postgres-adapter');
    const result = await migrate({ connectionString: url, schema: ctx.prefix });
    if (ctx.json) ctx.io.out(JSON.stringify(result));
    else if (result.from === result.to) ctx.io.out(`schema "${result.schema}" is up to date (version ${result.to})`);
    else ctx.io.out(`schema "${result.schema}" migrated from version ${result.from} to ${result.to}`);
  },
};
