import { createServer, type Server } from 'node:http';
import { isBatonError } from '@baton/core';
import { createDashboard } from '@baton/dashboard';
import { CliError, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { DEMO_QUEUES } from '../demo-data.js';
import { startDemoTraffic } from '../demo-traffic.js';
import { EXIT } from '../exit-codes.js';
import { integerFlag } from './flags.js';

/** The port `baton dashboard` listens on without --port. */
const DEFAULT_PORT = 8080;

/** A comma-separated list flag (`--groups a,b`), or `fallback` when not given. */
function listFlag(raw: string | boolean | undefined, fallback: readonly string[]): readonly string[] {
  if (typeof raw !== 'string') return fallback;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Listens on `host`:`port`; a port in use or an address that cannot be bound is a CliError (exit 2). */
function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new CliError(
          EXIT.usage,
          `cannot listen on ${host}:${port}: ${error.code ?? error.message}${error.code === 'EADDRINUSE' ? ' (the port is in use; pick another with --port)' : ''}`,
        ),
      ),
    );
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}

/**
 * `baton dashboard`: serves the web dashboard (@baton/dashboard) of the backend until Ctrl-C. On
 * the memory: demo a producer and a worker make traffic, so the page has something to show live.
 */
export const dashboardCommand: Command = {
  name: 'dashboard',
  usage: '',
  summary: 'serve the live web dashboard until Ctrl-C (--port, --host, --read-only)',
  positionals: { min: 0, max: 0 },
  read: false,
  flags: {
    port: { type: 'string', help: `<n>  TCP port (default ${DEFAULT_PORT}; 0 picks a free one)` },
    host: { type: 'string', help: '<address>  address to listen on (default 127.0.0.1: this machine only)' },
    'read-only': { type: 'boolean', help: 'refuse every change (redrive, remove, purge, pause, resume) with 405' },
    queues: { type: 'string', help: '<a,b>  queues to show besides those the backend lists (the only ones where it cannot list them)' },
    groups: { type: 'string', help: '<a,b>  registry groups whose nodes to list (default baton)' },
    elections: { type: 'string', help: '<a,b>  elections whose leaders to show (default: scheduler on memory:, none elsewhere)' },
    locks: { type: 'string', help: '<a,b>  locks to show (default: nightly-report on memory:, none elsewhere)' },
  },
  async run(ctx) {
    const port = integerFlag(ctx, 'port', 0) ?? DEFAULT_PORT;
    if (port > 65_535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    const host = typeof ctx.flags.host === 'string' ? ctx.flags.host : '127.0.0.1';
    const readOnly = ctx.flags['read-only'] === true;
    const backend = await ctx.backend();
    const demo = backend.kind === 'memory';
    // One read first, so an unreachable backend is one line and exit 3 before anything listens.
    try {
      await backend.queues();
    } catch (error) {
      if (!isBatonError(error, 'NOT_SUPPORTED')) throw error;
    }
    const dashboard = createDashboard({
      backend,
      readOnly,
      queues: listFlag(ctx.flags.queues, []),
      groups: listFlag(ctx.flags.groups, ['baton']),
      elections: listFlag(ctx.flags.elections, demo ? ['scheduler'] : []),
      locks: listFlag(ctx.flags.locks, demo ? ['nightly-report'] : []),
    });
    const server = createServer(dashboard);
    const stop = ctx.io.stopRequested();
    try {
      const bound = await listen(server, port, host);
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}/`;
      // The address on stdout (a script can read it), the rest on stderr.
      ctx.io.out(url);
      ctx.io.err(`dashboard of ${backend.kind}${readOnly ? ', read-only' : ''} at ${url}; Ctrl-C to stop`);
      const traffic = demo ? startDemoTraffic(backend, DEMO_QUEUES[0]) : undefined;
      try {
        await stop;
      } finally {
        await traffic?.stop();
      }
    } finally {
      await dashboard.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  },
};
