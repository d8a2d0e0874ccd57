import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoCluster } from './cluster.js';
import type { DemoNodeSettings, NodeReport } from './messages.js';
import { serverBackend, type ServerKind } from './server-backend.js';
import type { DemoTask } from './node-runner.js';
import type { Tally } from './tally.js';

const NODE_SCRIPT = fileURLToPath(new URL('../demo-node.ts', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../tsconfig.base.json', import.meta.url));

/** Resolves when `child` has exited (at once if it already has). */
async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await once(child, 'exit');
}

/**
 * Every node is its own child process (examples/demo-node.ts) on one Redis or one PostgreSQL
 * database; they report over IPC. Killing a node sends it SIGKILL: nothing is acknowledged or
 * deregistered, as in a real crash. Children are SIGKILLed if this process exits first.
 */
export function serverCluster(
  kind: ServerKind,
  url: string,
  namespace: string,
  settings: (i: number) => DemoNodeSettings,
  count: number,
  tally: Tally,
): DemoCluster {
  const producer = serverBackend(kind, url, namespace);
  const nodes = Array.from({ length: count }, (_, i) => ({ settings: settings(i), child: undefined as ChildProcess | undefined, alive: false }));
  const killAll = (): void => {
    for (const n of nodes) n.child?.kill('SIGKILL');
  };
  process.once('exit', killAll);
  let stopped: Promise<void> | undefined;
  return {
    nodeIds: nodes.map((n) => n.settings.nodeId),
    queue: producer.queue<DemoTask>(settings(0).queue),
    async start() {
      // Ask the server once before forking: an unreachable one is then one error here
      // (BackendUnavailableError), not a failure in every node process.
      await producer.queue(settings(0).queue).stats();
      const ready = nodes.map((n) => {
        const child = fork(NODE_SCRIPT, [JSON.stringify(n.settings), kind, url, namespace], {
          execArgv: ['--conditions=@baton/source', '--import', 'tsx'],
          env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        n.child = child;
        n.alive = true;
        return new Promise<void>((resolve, reject) => {
          child.on('message', (r: NodeReport) => {
            tally.add(r);
            if (r.type === 'ready') resolve();
          });
          child.once('exit', (code, signal) => {
            n.alive = false;
            reject(new Error(`node ${n.settings.nodeId} exited before it was ready (code ${code}, signal ${signal})`));
          });
        });
      });
      const timeout = sleep(30_000, undefined, { ref: false }).then(() => Promise.reject(new Error('nodes did not start within 30 s')));
      await Promise.race([Promise.all(ready), timeout]);
    },
    async kill(node) {
      const n = nodes.find((x) => x.settings.nodeId === node)!;
      tally.killed(node);
      n.alive = false;
      n.child?.kill('SIGKILL');
      if (n.child) await exited(n.child);
    },
    stopAll() {
      stopped ??= (async () => {
        await Promise.all(
          nodes.map(async (n) => {
            const child = n.child;
            if (!child) return;
            if (n.alive && child.connected) child.send({ type: 'stop' });
            const deadline = sleep(15_000, undefined, { ref: false }).then(() => child.kill('SIGKILL'));
            await Promise.race([exited(child), deadline]);
            await exited(child);
          }),
        );
        process.removeListener('exit', killAll);
      })();
      return stopped;
    },
    close: () => producer.close(),
  };
}
