// `npm run demo`: the Baton scheduler end to end. See `npm run demo -- --help`.
import { randomBytes } from 'node:crypto';
import { isBatonError } from '@baton/core';
import { HELP, parseDemoArgs, UsageError, type DemoArgs } from './demo/args.js';
import type { DemoCluster } from './demo/cluster.js';
import { runScenario } from './demo/coordinator.js';
import { memoryCluster } from './demo/memory-cluster.js';
import type { DemoNodeSettings } from './demo/messages.js';
import { serverCluster } from './demo/server-cluster.js';
import { Tally } from './demo/tally.js';

let args: DemoArgs;
try {
  args = parseDemoArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`demo: ${error.message} (see --help)`);
  process.exit(2);
}
if (args.help) {
  console.log(HELP);
  process.exit(0);
}

const run = randomBytes(3).toString('hex');
const settings = (i: number): DemoNodeSettings => ({
  nodeId: `node-${i + 1}`,
  queue: 'demo-tasks',
  group: 'demo',
  concurrency: args.concurrency,
  workMinMs: 2,
  workMaxMs: 12,
  visibilityTimeoutMs: 2_000,
  tickMs: 1_000,
});
const tally = new Tally();
const cluster: DemoCluster =
  args.backend === 'memory' ? memoryCluster(settings, args.nodes, tally) : serverCluster(args.backend, args.url, 'baton-demo', settings, args.nodes, tally);
try {
  const summary = await runScenario(args, cluster, tally, run, 20_000);
  process.exitCode = summary.lost === 0 && summary.unexplainedDuplicates === 0 ? 0 : 1;
} catch (error) {
  // One line, never a stack: an unreachable server is an expected failure with its own exit code.
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (isBatonError(error, 'BACKEND_UNAVAILABLE')) {
    console.error(`demo: ${message}`);
    process.exitCode = 3;
  } else {
    console.error(`demo failed: ${message}`);
    process.exitCode = 1;
  }
}
