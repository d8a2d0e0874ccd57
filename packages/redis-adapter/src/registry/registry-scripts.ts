import { ReplyCode } from '../reply-codes.js';
import { arrayReply } from '../reply-decoders.js';
import { defineScript } from '../script.js';

// The registry's scripts (scripts/<name>.lua). `members` and `records` are RegistryKeys fields;
// the node key and revoked marker are built per node.

/** Writes a heartbeat: 'joined' (announced), 'member' (was one already) or 'revoked' (deregistered by id). */
export const beatNode = defineScript('beatNode', {
  keys: ['members', 'node', 'records', 'revoked'],
  args: ['id', 'record', 'ttlMs', 'events'],
  decode: (reply): 'joined' | 'member' | 'revoked' => {
    const code = Number(reply);
    return code === ReplyCode.Revoked ? 'revoked' : code === 1 ? 'joined' : 'member';
  },
});

/** Removes a node; true when it was live. */
export const removeNode = defineScript('removeNode', {
  keys: ['members', 'node', 'records'],
  args: ['id', 'events', 'revokedPrefix'],
  decode: (reply) => Number(reply) === 1,
});

/** The records (JSON text) of live members; expired ones are removed and announced. */
export const listNodes = defineScript('listNodes', {
  keys: ['members', 'records'],
  args: ['nodePrefix', 'events'],
  decode: (reply) => arrayReply(reply, 'listNodes').map(String),
});
