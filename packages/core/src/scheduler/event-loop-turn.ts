/**
 * Most lease calls one worker pool makes within one event-loop turn before it lets the turn end.
 * A pool whose lease calls answer without I/O (the memory backend) and whose handlers finish
 * without I/O, on a queue that keeps refilling itself, would otherwise run on promise
 * continuations alone and never let timers or I/O run: delayed tasks of other queues would never
 * fall due, lease extensions never fire, and nothing else in the process would run. A pool that
 * waits on a server sees a new turn with every reply and never yields.
 */
export const LEASES_PER_TURN = 32;

let turn = 0;
let counting = false;

/**
 * A number that grows once per event-loop turn in which it was read: two reads that return the same
 * number were made without the event loop running timers or I/O in between. Counted with
 * `setImmediate` rather than a clock timer: it measures turns of the event loop, not time, and a
 * ManualClock's turns are the event loop's too.
 */
export function eventLoopTurn(): number {
  if (!counting) {
    counting = true;
    setImmediate(() => {
      counting = false;
      turn++;
    });
  }
  return turn;
}

/** Resolves in a later event-loop turn, after the timers and I/O callbacks that were due. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Counts one caller's steps per event-loop turn: `step()` resolves at once, or (after `limit`
 * steps within one turn) in the next turn, so a loop that never waits for I/O still lets the rest
 * of the process run.
 */
export class TurnBudget {
  private turn = -1;
  private used = 0;

  constructor(private readonly limit: number = LEASES_PER_TURN) {}

  /** Undefined to go on now; a promise to await when this turn's budget is spent. */
  step(): Promise<void> | undefined {
    const now = eventLoopTurn();
    if (now !== this.turn) {
      this.turn = now;
      this.used = 0;
    }
    if (++this.used <= this.limit) return undefined;
    this.used = 0;
    return nextTurn();
  }
}
