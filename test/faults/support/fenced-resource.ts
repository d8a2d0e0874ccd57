/**
 * A storage that refuses writes carrying a fence older than the newest it has accepted, as the
 * design asks of anything a lock holder writes to. It also knows the newest fence the lock service
 * has granted (told by the test), so it can count stale writes it accepted: writes whose fence
 * was already superseded by a grant when they arrived.
 */
export class FencedResource {
  private highest = 0;
  private granted = 0;
  readonly accepted: Array<{ fence: number; writer: string }> = [];
  refused = 0;
  staleAccepted = 0;

  /** Records that the lock service handed out `fence`. */
  grant(fence: number): void {
    this.granted = Math.max(this.granted, fence);
  }

  /** Accepts the write unless `fence` is older than the newest accepted; returns whether it did. */
  write(fence: number, writer: string): boolean {
    if (fence < this.highest) {
      this.refused++;
      return false;
    }
    if (fence < this.granted) this.staleAccepted++;
    this.highest = fence;
    this.accepted.push({ fence, writer });
    return true;
  }
}
