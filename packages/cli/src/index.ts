export { run, parseCommandLine } from './run.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export { CliError, UsageError, NotFoundError, describeFailure, type Failure } from './cli-error.js';
export { processIo, type Io } from './io.js';
export { openBackend, backendKind, type BackendKind } from './open-backend.js';
export { seedDemo, DEMO_QUEUES } from './demo-data.js';
export type { Command, CommandContext, FlagSpec } from './command.js';
