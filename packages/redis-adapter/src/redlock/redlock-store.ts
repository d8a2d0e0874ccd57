import { BackendUnavailableError, type Clock, type Logger } from '@baton/core';
import type { LockStore } from '@baton/core/adapter';
import type { RedlockServer } from './redlock-server.js';

/** Timing of a Redlock store (ms). */
export interface RedlockTiming {
  /** Base pause between two attempts on a held lock (ms). @default 100 */
  retryDelayMs: number;
  /** Random extra pause added to each retry, 0..this (ms), so contenders do not collide again. @default 100 */
  retryJitterMs: number;
  /** Clock drift allowed per ms of TTL (the Redlock paper's factor). @default 0.01 */
  driftFactor: number;
}

/** The outcome of asking every server the same thing. */
interface Votes<R> {
  ok: Array<{ server: RedlockServer; value: R }>;
  errors: unknown[];
}

/**
 * A LockStore over N independent Redis servers (Redlock). Each server holds an ordinary Baton
 * lock (token with a PX TTL, a fence counter); a lock is held when a quorum of N/2+1 servers
 * took it within its validity, TTL − time spent − drift (drift = driftFactor·TTL + 2 ms).
 * StoreLockManager on top gives the usual LockHandle: its local deadline is the request time
 * + TTL − drift (see clockDriftMs), so it never outlives the validity.
 *
 * Fence: the largest of the quorum's per-server counters, after which those servers' counters
 * are raised to it. Any later quorum shares a server with this one, whose counter is now at least
 * this fence, so the later fence is larger, as long as no server forgets its counter (a restart
 * without persistence does).
 */
export class RedlockStore implements LockStore {
  readonly quorum: number;

  constructor(
    private readonly servers: RedlockServer[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly timing: RedlockTiming,
    private readonly random: () => number = Math.random,
  ) {
    this.quorum = Math.floor(servers.length / 2) + 1;
  }

  /** See LockStore.clockDriftMs: driftFactor·TTL + 2 ms, as in the Redlock algorithm. */
  clockDriftMs(ttlMs: number): number {
    return Math.floor(ttlMs * this.timing.driftFactor) + 2;
  }

  /**
   * Takes the lock on every server at once; resolves the fence when a quorum took it with
   * validity left, else gives it back everywhere and resolves null (held elsewhere: retry).
   * Throws BackendUnavailableError, naming the quorum, when too few servers answered for a
   * quorum to be possible at all.
   */
  async tryAcquire(resource: string, token: string, ttlMs: number): Promise<number | null> {
    const start = this.clock.now();
    const votes = await this.ask((s) => s.store.tryAcquire(resource, token, ttlMs));
    const taken = votes.ok.filter((v) => v.value !== null) as Array<{ server: RedlockServer; value: number }>;
    if (taken.length >= this.quorum && this.validity(start, ttlMs) > 0) {
      const fence = Math.max(...taken.map((v) => v.value));
      const raised = await this.ask(
        (s) => s.raiseFence(resource, fence),
        taken.map((v) => v.server),
      );
      if (raised.ok.length >= this.quorum && this.validity(start, ttlMs) > 0) return fence;
    }
    await this.releaseEverywhere(resource, token);
    if (votes.errors.length > this.servers.length - this.quorum) throw this.noQuorum(votes.errors);
    return null;
  }

  /** See LockStore.extend: true when a quorum still held it and extended it within the validity. */
  async extend(resource: string, token: string, ttlMs: number): Promise<boolean> {
    const start = this.clock.now();
    const votes = await this.ask((s) => s.store.extend(resource, token, ttlMs));
    const held = votes.ok.filter((v) => v.value).length;
    if (held >= this.quorum) return this.validity(start, ttlMs) > 0;
    // Too few answers to know: not a loss yet (the handle's expiry timer decides), retry later.
    if (held + votes.errors.length >= this.quorum) throw this.noQuorum(votes.errors);
    return false;
  }

  /** See LockStore.release: releases on every server; true when a quorum still held it. */
  async release(resource: string, token: string): Promise<boolean> {
    return (await this.releaseEverywhere(resource, token)) >= this.quorum;
  }

  /** See LockStore.waitForRelease: sleeps retryDelayMs plus up to retryJitterMs (never past `timeoutMs`). */
  async waitForRelease(_resource: string, _token: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const pause = this.timing.retryDelayMs + Math.floor(this.random() * this.timing.retryJitterMs);
    await this.clock.sleep(Math.max(1, Math.min(timeoutMs, pause)), signal);
  }

  private validity(start: number, ttlMs: number): number {
    return ttlMs - (this.clock.now() - start) - this.clockDriftMs(ttlMs);
  }

  private async releaseEverywhere(resource: string, token: string): Promise<number> {
    const votes = await this.ask((s) => s.store.release(resource, token));
    for (const error of votes.errors) this.logger.debug('redlock: a release failed; that server lets the lock expire', { resource, error: String(error) });
    return votes.ok.filter((v) => v.value).length;
  }

  private async ask<R>(fn: (server: RedlockServer) => Promise<R>, servers = this.servers): Promise<Votes<R>> {
    const settled = await Promise.allSettled(servers.map((s) => fn(s)));
    const votes: Votes<R> = { ok: [], errors: [] };
    settled.forEach((r, i) => {
      if (r.status === 'fulfilled') votes.ok.push({ server: servers[i]!, value: r.value });
      else votes.errors.push(r.reason);
    });
    return votes;
  }

  private noQuorum(errors: unknown[]): BackendUnavailableError {
    const answered = this.servers.length - errors.length;
    const first = errors[0] instanceof Error ? errors[0].message : String(errors[0]);
    return new BackendUnavailableError(
      `Redlock needs a quorum of ${this.quorum} of ${this.servers.length} servers, but only ${answered} answered (${first}). Bring servers back or check their addresses.`,
      { cause: errors[0] },
    );
  }
}
