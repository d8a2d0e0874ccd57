import type { Command, FlagSpec } from './command.js';
import { COMMANDS } from './commands/index.js';

/** The flags every command takes. */
export const GLOBAL_FLAGS: Record<string, FlagSpec & { short?: string }> = {
  url: { type: 'string', help: '<url>  redis://, rediss://, postgres://, postgresql:// or memory: (a demo); default $BATON_URL' },
  prefix: { type: 'string', help: '<name>  Redis key prefix or PostgreSQL schema (default baton)' },
  debug: { type: 'boolean', help: 'print the stack of an unexpected error' },
  help: { type: 'boolean', short: 'h', help: 'show help (baton <command> --help for one command)' },
};

/** The `--json` flag of every read. */
export const JSON_FLAG: FlagSpec = { type: 'boolean', help: 'print JSON instead of text' };

const EXIT_CODES = `Exit codes:
  0  done
  1  not found: unknown queue, task or lock
  2  bad usage: unknown command or flag, bad argument or JSON, destructive command not confirmed
  3  backend unavailable: unreachable, refusing commands, full, or data not migrated (run baton migrate)
  4  not supported by this backend (it lacks the capability the command needs)
  5  unexpected error (--debug prints the stack)`;

function flagLines(flags: Record<string, FlagSpec>): string[] {
  return Object.entries(flags).map(([name, spec]) => {
    const [arg, ...rest] = spec.help.startsWith('<') ? spec.help.split('  ') : ['', spec.help];
    const left = `--${name}${arg ? ` ${arg}` : ''}`;
    return `  ${left.padEnd(22)} ${rest.join('  ')}`;
  });
}

/** `baton --help`. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => `${c.name} ${c.usage}`.length));
  return [
    'Usage: baton <command> [arguments] [--url <url>] [--json]',
    '',
    'Inspect and operate Baton queues, nodes and locks. Try it without a server: baton queues --url memory:',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${`${c.name} ${c.usage}`.padEnd(width)}  ${c.summary}`),
    '',
    'Flags of every command:',
    ...flagLines(GLOBAL_FLAGS),
    `  ${'--json'.padEnd(22)} on every read: print JSON instead of text`,
    '',
    EXIT_CODES,
  ].join('\n');
}

/** `baton <command> --help`. */
export function commandHelp(command: Command): string {
  const flags = command.read ? { ...command.flags, json: JSON_FLAG } : command.flags;
  const own = flagLines(flags);
  return [
    `Usage: baton ${command.name}${command.usage ? ` ${command.usage}` : ''} [flags]`,
    '',
    `${command.summary.charAt(0).toUpperCase()}${command.summary.slice(1)}.`,
    ...(own.length > 0 ? ['', 'Flags:', ...own] : []),
    '',
    'Flags of every command:',
    ...flagLines(GLOBAL_FLAGS),
    '',
    EXIT_CODES,
  ].join('\n');
}
