import type { GroupEventSource } from '@baton/core/adapter';
import type { Subscriptions } from '../subscriptions.js';
import { decodeEvent } from './node-record.js';

/**
 * A registry group's events on Redis: the group's pub/sub channel, published by the scripts of
 * whichever process changed membership. A message published while the subscriber connection was
 * down is lost; the reconnect tells core's GroupWatch to make it up from a fresh read.
 */
export function groupEvents(subscriptions: Subscriptions, channel: string): GroupEventSource {
  return {
    listen: (handler) =>
      subscriptions.subscribe(channel, (message) => {
        const decoded = decodeEvent(message);
        if (decoded) handler(decoded);
      }),
    onReconnect: (fn) => subscriptions.onReconnect(channel, fn),
  };
}
