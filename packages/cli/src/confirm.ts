import { UsageError } from './cli-error.js';
import type { CommandContext } from './command.js';

/**
 * Guards a destructive command: goes on with `--yes`; on a terminal asks `question` and goes on
 * only for "y" or "yes"; anywhere else (a script, a pipe) refuses, so nothing is destroyed by a
 * command nobody saw. Throws UsageError (exit 2) when it does not go on.
 */
export async function confirm(ctx: CommandContext, question: string): Promise<void> {
  if (ctx.flags.yes === true) return;
  if (!ctx.io.interactive) throw new UsageError(`${question} Refused: not on a terminal; add --yes to confirm`);
  const answer = (await ctx.io.ask(`${question} [y/N] `)).trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') throw new UsageError('not confirmed; nothing changed');
}

/** The `--yes` flag of destructive commands. */
export const YES_FLAG = { yes: { type: 'boolean', help: 'do not ask for confirmation (needed when not on a terminal)' } } as const;
