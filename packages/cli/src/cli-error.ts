import { isBatonError, type BatonErrorCode } from '@baton/core';
import { EXIT, type ExitCode } from './exit-codes.js';

/** Thrown by the CLI itself for an expected failure: its message is printed as one line, then it exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Thrown for a bad command line (exit 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(EXIT.usage, message);
  }
}

/** Thrown when what the command names does not exist (exit 1). */
export class NotFoundError extends CliError {
  constructor(message: string) {
    super(EXIT.notFound, message);
  }
}

/** The exit code of each BatonError code that is an expected failure of a command; others are EXIT.failed. */
const BATON_EXITS: Partial<Record<BatonErrorCode, ExitCode>> = {
  BACKEND_UNAVAILABLE: EXIT.unavailable,
  BACKEND_FULL: EXIT.unavailable,
  UNSAFE_EVICTION_POLICY: EXIT.unavailable,
  // A PostgreSQL schema that was never migrated: the message says to run `baton migrate`.
  BACKEND_DATA: EXIT.unavailable,
  NOT_SUPPORTED: EXIT.notSupported,
  INVALID_ARGUMENT: EXIT.usage,
  SERIALIZATION: EXIT.usage,
  INVALID_CURSOR: EXIT.usage,
};

/** What to print and which code to exit with for an error a command threw. */
export interface Failure {
  exitCode: ExitCode;
  /** One line, without the `baton: ` prefix. */
  message: string;
  /** False for the failures the CLI expects (they need no stack to be understood). */
  unexpected: boolean;
}

/** Maps an error to its exit code and one-line message (CliError and BatonError are expected; anything else is not). */
export function describeFailure(error: unknown): Failure {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: oneLine(error.message), unexpected: false };
  if (isBatonError(error)) {
    const exitCode = BATON_EXITS[error.code];
    if (exitCode !== undefined) return { exitCode, message: oneLine(error.message), unexpected: false };
    return { exitCode: EXIT.failed, message: oneLine(`${error.code}: ${error.message}`), unexpected: true };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { exitCode: EXIT.failed, message: oneLine(message), unexpected: true };
}

/** The first line of a message, so an error never prints more than one. */
function oneLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
