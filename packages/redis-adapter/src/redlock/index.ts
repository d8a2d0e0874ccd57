export { redlock, redlockModule, RedlockManager, type RedlockOptions } from './redlock.js';
export type { RedlockServerAddress } from './redlock-server.js';
