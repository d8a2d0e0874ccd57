import type { Backend } from '@baton/core';
import type { ExitCode } from './exit-codes.js';
import type { Io } from './io.js';

/** A flag a command accepts besides the global ones (`--url`, `--prefix`, `--debug`, `--help`). */
export interface FlagSpec {
  type: 'string' | 'boolean';
  /** One line for the help text, e.g. `<state>  the state to list (default waiting)`. */
  help: string;
}

/** What a command gets: its arguments, the terminal and a backend opened on first use. */
export interface CommandContext {
  io: Io;
  /** Positional arguments after the command name. */
  args: string[];
  /** The flags given (only those the command declares, plus `json` when it is a read). */
  flags: Record<string, string | boolean | undefined>;
  /** True with `--json`: print JSON on stdout instead of text. */
  json: boolean;
  /** The backend named by `--url` / BATON_URL, opened on first call (closed by the runner). */
  backend(): Promise<Backend>;
  /** `--url` or BATON_URL; UsageError when neither is given. */
  url(): string;
  /** `--prefix`: the Redis key prefix or PostgreSQL schema; undefined for the backend's default (`baton`). */
  prefix: string | undefined;
}

/** One `baton` subcommand. */
export interface Command {
  name: string;
  /** Arguments as shown in the help, e.g. `<queue> <id>`. */
  usage: string;
  /** One line for `baton --help`. */
  summary: string;
  /** Positional arguments accepted: at least `min`, at most `max`. */
  positionals: { min: number; max: number };
  /** Flags of this command. */
  flags: Record<string, FlagSpec>;
  /** True for reads: `--json` is accepted. */
  read: boolean;
  /** Runs it; resolves the exit code (0 unless it says otherwise). Throws for failures. */
  run(ctx: CommandContext): Promise<ExitCode | void>;
}
