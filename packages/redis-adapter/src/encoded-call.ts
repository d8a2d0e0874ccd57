import { Command } from 'ioredis';
import type { ScriptArg } from './script.js';

/**
 * One EVALSHA whose request is already written out in the Redis protocol (RESP), sent with the
 * client's `sendCommand`: the client's command queue, offline queue, command timeout and reply
 * handling apply as to any command, but it skips the client's per-argument work (copying and
 * flattening the arguments, converting each, and building the request one argument at a time),
 * which a script call with 16 keys spends for every call (about a third of the client's time per
 * enqueue, measured with --cpu-prof). Replies arrive as strings, as with the client's own script
 * commands.
 */
export class EncodedCall extends Command {
  private readonly request: string;

  constructor(request: string) {
    super('evalsha', [], { replyEncoding: 'utf8' });
    this.request = request;
  }

  /** The request as written: the same text on every (re)send. */
  override toWritable(): string {
    return this.request;
  }
}

/** One RESP bulk string. */
export function bulk(value: ScriptArg): string {
  const text = typeof value === 'string' ? value : String(value);
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

/**
 * The start of every EVALSHA request of a script: the command name, the script's SHA1 and its
 * number of keys (what follows is the keys and arguments; the array length goes in front).
 */
export function evalshaHead(sha: string, numberOfKeys: number): string {
  return `${bulk('evalsha')}${bulk(sha)}${bulk(numberOfKeys)}`;
}
