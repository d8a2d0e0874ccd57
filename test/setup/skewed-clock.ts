import { SystemClock } from '@baton/core';

/** Real time shifted by `offsetMs`: a node whose clock is wrong (the clock-skew tests of every server backend). */
export class SkewedClock extends SystemClock {
  constructor(private readonly offsetMs: number) {
    super();
  }

  override now(): number {
    return Date.now() + this.offsetMs;
  }
}
