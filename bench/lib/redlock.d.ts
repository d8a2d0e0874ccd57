// redlock 5.0.0-beta.2 ships types (dist/index.d.ts) that its package.json "exports" does not
// point to, so NodeNext resolution cannot see them; this declares the part the bench uses.
declare module 'redlock' {
  import type { EventEmitter } from 'node:events';
  import type { Redis } from 'ioredis';
  export interface Lock {
    release(): Promise<unknown>;
  }
  export interface Settings {
    driftFactor?: number;
    retryCount?: number;
    retryDelay?: number;
    retryJitter?: number;
    automaticExtensionThreshold?: number;
  }
  export default class Redlock extends EventEmitter {
    constructor(clients: Iterable<Redis>, settings?: Settings);
    acquire(resources: string[], duration: number): Promise<Lock>;
  }
}
