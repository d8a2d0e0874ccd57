import { createInterface } from 'node:readline/promises';

/** What a command reads from and writes to; the bin gives the process's, tests give their own. */
export interface Io {
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  /** True when a person can answer questions (stdin and stderr are terminals). */
  readonly interactive: boolean;
  /** Asks a question on the terminal and resolves the answer (only called when `interactive`). */
  ask(question: string): Promise<string>;
  /** The whole of stdin (for `baton enqueue <queue> -`). */
  readStdin(): Promise<string>;
  /** Environment variables (BATON_URL). */
  readonly env: Record<string, string | undefined>;
  /** Resolves when the user asks a long-running command (`watch`) to stop: Ctrl-C or SIGTERM. */
  stopRequested(): Promise<void>;
}

/** The Io of the running process. */
export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
    async ask(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    stopRequested: () =>
      new Promise((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }),
  };
}
