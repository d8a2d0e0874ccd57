import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Backend } from '@baton/core';
import { describeFailure, UsageError } from './cli-error.js';
import type { Command, CommandContext } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { commandHelp, GLOBAL_FLAGS, JSON_FLAG, mainHelp } from './help.js';
import type { Io } from './io.js';
import { openBackend } from './open-backend.js';

type Options = NonNullable<ParseArgsConfig['options']>;

function asOptions(flags: Record<string, { type: 'string' | 'boolean'; short?: string }>): Options {
  return Object.fromEntries(Object.entries(flags).map(([name, f]) => [name, f.short ? { type: f.type, short: f.short } : { type: f.type }]));
}

/** The flags of `command`, the global ones and `--json` on reads. */
function commandOptions(command: Command): Options {
  return asOptions({ ...GLOBAL_FLAGS, ...command.flags, ...(command.read ? { json: JSON_FLAG } : {}) });
}

/** Every flag of every command: enough to tell flag values from the command name in a first pass. */
function allOptions(): Options {
  return Object.assign({}, ...COMMANDS.map(commandOptions)) as Options;
}

/** What the command line asks for. */
type Parsed =
  | { kind: 'help'; text: string; exitCode: ExitCode }
  | { kind: 'command'; command: Command; args: string[]; flags: Record<string, string | boolean | undefined> };

/** Parses argv with node:util parseArgs: a first lenient pass finds the command, a strict one checks its flags. */
export function parseCommandLine(argv: string[]): Parsed {
  const first = parseArgs({ args: argv, options: allOptions(), strict: false, allowPositionals: true });
  const name = first.positionals[0];
  if (name === undefined || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === first.positionals[1]) : undefined;
    if (topic) return { kind: 'help', text: commandHelp(topic), exitCode: EXIT.ok };
    // `baton` alone is a usage error (help on stderr); `baton --help` and `baton help` are not.
    const asked = name === 'help' || first.values.help === true;
    return { kind: 'help', text: mainHelp(), exitCode: asked ? EXIT.ok : EXIT.usage };
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')} (baton --help)`);
  if (first.values.help === true) return { kind: 'help', text: commandHelp(command), exitCode: EXIT.ok };
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: argv, options: commandOptions(command), strict: true, allowPositionals: true });
    // No flag is declared `multiple`, so no value is an array.
    values = parsed.values as Record<string, string | boolean | undefined>;
    positionals = parsed.positionals;
  } catch (error) {
    // parseArgs's own message goes on to explain `--` for positionals that start with a dash.
    const message = (error as Error).message.split('. ')[0]!.split('\n')[0];
    throw new UsageError(`${message} for "baton ${command.name}" (baton ${command.name} --help)`);
  }
  const args = positionals.slice(1);
  const { min, max } = command.positionals;
  if (args.length < min || args.length > max) {
    const what = args.length < min ? 'missing arguments' : `unexpected argument "${args[max]}"`;
    throw new UsageError(`${what}: baton ${command.name} ${command.usage} (baton ${command.name} --help)`);
  }
  return { kind: 'command', command, args, flags: values };
}

/** How long (real ms) closing the backend may take before the CLI exits anyway. */
const CLOSE_TIMEOUT_MS = 2_000;

/**
 * Runs one `baton` command line and resolves its exit code. Never throws: an expected failure is
 * one line on stderr (`baton: …`); an unexpected one too, with its stack under `--debug`.
 */
export async function run(argv: string[], io: Io): Promise<ExitCode> {
  const debug = argv.includes('--debug');
  let backend: Backend | undefined;
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.kind === 'help') {
      if (parsed.exitCode === EXIT.ok) io.out(parsed.text);
      else io.err(parsed.text);
      return parsed.exitCode;
    }
    const { command, args, flags } = parsed;
    const url = (): string => {
      const given = typeof flags.url === 'string' ? flags.url : io.env.BATON_URL;
      if (given === undefined || given === '')
        throw new UsageError('no backend: give --url <url> or set BATON_URL (--url memory: for a demo without a server)');
      return given;
    };
    const prefix = typeof flags.prefix === 'string' ? flags.prefix : undefined;
    let opening: Promise<Backend> | undefined;
    const ctx: CommandContext = {
      io,
      args,
      flags,
      json: flags.json === true,
      url,
      prefix,
      backend: () =>
        (opening ??= openBackend(url(), prefix).then((b) => {
          backend = b;
          return b;
        })),
    };
    return (await command.run(ctx)) ?? EXIT.ok;
  } catch (error) {
    const failure = describeFailure(error);
    const hint = failure.unexpected && !debug ? ' (unexpected; run again with --debug for the stack)' : '';
    io.err(`baton: ${failure.message}${hint}`);
    if (debug && error instanceof Error) io.err(error.stack ?? String(error));
    return failure.exitCode;
  } finally {
    if (backend) await closeWithin(backend, CLOSE_TIMEOUT_MS);
  }
}

/** Closes the backend, giving up after `ms` (an unreachable server must not hold the prompt). */
async function closeWithin(backend: Backend, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([backend.close().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
