import { randomUUID } from 'node:crypto';

// One random prefix per process and a counter: unique for every delivery, and far cheaper than a
// UUID per lease. A token only has to tell deliveries apart inside this process's store.
const prefix = `${randomUUID()}:`;
let counter = 0;

/** A lease token never handed out before in this process. */
export function newLeaseToken(): string {
  return prefix + (++counter).toString(36);
}
