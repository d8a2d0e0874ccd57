import { isBatonError, type Queue } from '@baton/core';
import { NotFoundError } from '../cli-error.js';
import type { CommandContext } from '../command.js';

/**
 * A handle on queue `name`, after checking that the backend knows it (exit 1 with the known names
 * otherwise), so a typo is reported instead of showing an empty queue. On a backend that cannot
 * list its queues (NotSupportedError) the check is skipped.
 */
export async function knownQueue(ctx: CommandContext, name: string): Promise<Queue> {
  const backend = await ctx.backend();
  const lister = backend as { queues?: () => Promise<string[]> };
  let names: string[] | undefined;
  try {
    names = typeof lister.queues === 'function' ? await lister.queues() : undefined;
  } catch (error) {
    if (!isBatonError(error, 'NOT_SUPPORTED')) throw error;
  }
  if (names !== undefined && !names.includes(name)) {
    const known = names.length === 0 ? 'none' : names.join(', ');
    throw new NotFoundError(`unknown queue "${name}" (known queues: ${known})`);
  }
  return backend.queue(name);
}
