import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { TS_NODE_ARGS, tsEnv } from '../examples/run-ts.js';

/** A fixture process and every IPC message it sent. */
export interface Fixture<M> {
  child: ChildProcess;
  messages: M[];
}

/** Children started by startFixture that may still run. */
const started = new Set<ChildProcess>();

/** Forks `test/scheduler/fixtures/<name>.ts` with `args`, collecting its IPC messages. */
export function startFixture<M>(name: string, args: string[]): Fixture<M> {
  const file = fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
  const child = fork(file, args, { execArgv: TS_NODE_ARGS, env: tsEnv(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  started.add(child);
  child.once('exit', () => started.delete(child));
  const fixture: Fixture<M> = { child, messages: [] };
  child.on('message', (m: M) => fixture.messages.push(m));
  return fixture;
}

/** Resolves when the child has exited. */
export async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await once(child, 'exit');
}

/** SIGCONTs and SIGKILLs every fixture still running; for finally blocks. */
export async function killFixtures(): Promise<void> {
  const all = [...started];
  for (const child of all) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  await Promise.all(all.map(exited));
}
