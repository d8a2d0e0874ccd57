import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, ClosedError, LockTimeoutError, ManualClock } from '../src/index.js';
import { acquireInLine, type QueueingStore } from '../src/locks/index.js';

/** A store whose first attempt is still on the wire when the backend closes, and then fails on the lost connection. */
function storeCutShortByClose(close: () => void): QueueingStore<null> {
  return {
    async tryAcquire() {
      close();
      throw new BackendUnavailableError('Redis at 127.0.0.1:6379 cannot be used: Connection is closed.');
    },
    async waitForRelease() {
      return undefined;
    },
  };
}

describe('acquireInLine', () => {
  it('a wait whose request was on the wire when the backend closed rejects with ClosedError, not the lost connection', async () => {
    let closed = false;
    const assertOpen = (): void => {
      if (closed) throw new ClosedError('backend');
    };
    const store = storeCutShortByClose(() => (closed = true));
    const acquiring = acquireInLine(
      store,
      new ManualClock(),
      'r',
      't',
      null,
      1_000,
      new AbortController().signal,
      assertOpen,
      () => new LockTimeoutError('r', 1_000),
    );
    await expect(acquiring).rejects.toBeInstanceOf(ClosedError);
  });

  it('the same failure on an open backend is reported as it is', async () => {
    const store = storeCutShortByClose(() => undefined);
    const acquiring = acquireInLine(
      store,
      new ManualClock(),
      'r',
      't',
      null,
      1_000,
      new AbortController().signal,
      () => undefined,
      () => new LockTimeoutError('r', 1_000),
    );
    await expect(acquiring).rejects.toBeInstanceOf(BackendUnavailableError);
  });
});
