#!/usr/bin/env node
// The `baton` command. Exit codes: see EXIT in exit-codes.ts (and `baton --help`).
import { processIo } from './io.js';
import { run } from './run.js';

// A failure outside a command's own await chain (a socket error event, a stray rejection) is still
// one line and an exit code, never a stack, unless --debug asks for it.
const debug = process.argv.includes('--debug');
const last = (error: unknown): void => {
  process.stderr.write(`baton: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(5);
};
process.on('uncaughtException', last);
process.on('unhandledRejection', last);

const code = await run(process.argv.slice(2), processIo());
// Let what was written reach the pipes first (writes to a pipe are asynchronous on some systems),
// then exit at once: a backend that could not be reached may leave reconnect timers behind.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
process.exit(code);
