import type { Command } from '../command.js';
import { relative, table } from '../format.js';

/** The group a Scheduler joins when none is given. */
const DEFAULT_GROUP = 'baton';

/** `baton nodes [group]`: the live nodes of a registry group, with their heartbeat age. */
export const nodesCommand: Command = {
  name: 'nodes',
  usage: '[group]',
  summary: `live nodes of a group (default "${DEFAULT_GROUP}", the Scheduler's) and their last heartbeat`,
  positionals: { min: 0, max: 1 },
  read: true,
  flags: {},
  async run(ctx) {
    const group = ctx.args[0] ?? DEFAULT_GROUP;
    const backend = await ctx.backend();
    const nodes = await backend.registry(group).list();
    if (ctx.json) {
      ctx.io.out(JSON.stringify({ group, nodes }));
      return;
    }
    if (nodes.length === 0) {
      ctx.io.out(`no live nodes in group "${group}"`);
      return;
    }
    const now = Date.now();
    const rows = nodes.map((n) => [
      n.id,
      relative(n.lastSeen, now),
      relative(n.registeredAt, now),
      Object.entries(n.meta)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' '),
    ]);
    for (const line of table(['node', 'last heartbeat', 'registered', 'meta'], rows)) ctx.io.out(line);
  },
};
