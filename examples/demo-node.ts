// One node of `npm run demo -- --backend redis|postgres`: started by the demo as a child process.
// argv: <settings JSON> <redis|postgres> <url> <namespace>. Reports over IPC; stops on { type: 'stop' }.
import { SystemClock } from '@baton/core';
import type { CoordinatorMessage, DemoNodeSettings, NodeReport } from './demo/messages.js';
import { createDemoNode } from './demo/node-runner.js';
import { serverBackend, type ServerKind } from './demo/server-backend.js';

const [settingsJson, kind, url, namespace] = process.argv.slice(2);
if (!settingsJson || (kind !== 'redis' && kind !== 'postgres') || !url || !namespace || !process.send) {
  console.error('demo-node: run by the demo (npm run demo -- --backend redis|postgres), not directly');
  process.exit(2);
}
const settings = JSON.parse(settingsJson) as DemoNodeSettings;
const clock = new SystemClock();
const backend = serverBackend(kind as ServerKind, url, namespace, clock);
const send = (report: NodeReport): void => {
  if (process.connected) process.send!(report);
};
const scheduler = createDemoNode(backend, clock, settings, send);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await scheduler.stop({ timeoutMs: 5_000 });
  await backend.close();
  send({ type: 'stopped', node: settings.nodeId });
  process.disconnect?.();
}

process.on('message', (message: CoordinatorMessage) => {
  if (message.type === 'stop') void shutdown();
});
// The coordinator went away: stop cleanly rather than run on alone.
process.on('disconnect', () => void shutdown());

try {
  await scheduler.start();
} catch (error) {
  // The coordinator reports the node that exited; one line here says why, without a stack.
  console.error(`demo-node ${settings.nodeId}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  await backend.close().catch(() => undefined);
  process.exit(3);
}
send({ type: 'ready', node: settings.nodeId, pid: process.pid });
