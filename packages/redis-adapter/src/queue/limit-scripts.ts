import { arrayReply, numberReply } from '../reply-decoders.js';
import { queueScript } from './queue-script.js';

// The scripts of a sharded queue's limits (scripts/<name>.lua), on the queue's home keys (the
// unsharded hash tag `{queue:<name>}`). An unsharded queue judges its limits inside its own lease
// script instead (leaseTasks).

/** What reserveLeases granted. */
export interface Reservation {
  /** Leases granted: tokens "<tokenBase>.1" .. "<tokenBase>.<granted>". */
  granted: number;
  /** With none granted: ms until the limits may lift by the clock; -1 otherwise. */
  liftInMs: number;
  /** The rate window the starts were counted in ('' without a rate limit), for releaseLeases. */
  window: string;
}

/** Reserves up to `want` leases against the queue's limits (see Reservation). */
export const reserveLeases = queueScript('reserveLeases', {
  keys: ['limits', 'reservations'],
  args: ['limits', 'want', 'visibilityMs', 'tokenBase'],
  decode: (reply): Reservation => {
    const [granted, lift, window] = arrayReply(reply, 'reserveLeases');
    return { granted: Number(granted), liftInMs: Number(lift), window: String(window ?? '') };
  },
});

/** Drops reservations (ended or never leased); how many it dropped. */
export const releaseLeases = queueScript('releaseLeases', {
  keys: ['limits', 'reservations'],
  args: ['slotsChannel', 'window', 'unleased'],
  rest: { name: 'tokens', fields: ['token'] },
  decode: numberReply,
});

/** Moves a lease's reservation to its new deadline (ms from the server's now). */
export const extendReservation = queueScript('extendReservation', {
  keys: ['reservations'],
  args: ['token', 'ms'],
  decode: () => undefined,
});
