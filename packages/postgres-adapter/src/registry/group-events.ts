import type { GroupEventSource } from '@baton/core/adapter';
import type { Listener } from '../connection/listener.js';
import { decodeEvent } from './node-row.js';

/**
 * A registry group's events on PostgreSQL: the group's LISTEN channel, NOTIFYed by the statement
 * that inserts, removes or reaps a node row, in whichever process ran it. A notification sent while
 * the LISTEN connection was down is lost; the reconnect tells core's GroupWatch to make it up from
 * a fresh read.
 */
export function groupEvents(listener: Listener, channel: string): GroupEventSource {
  return {
    listen: (handler) =>
      listener.listen(channel, (payload) => {
        const decoded = decodeEvent(payload);
        if (decoded) handler(decoded);
      }),
    onReconnect: (fn) => listener.onReconnect(fn),
  };
}
