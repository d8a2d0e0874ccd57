import type { NodeReport } from './messages.js';

/** What one node did, as reported. */
export interface NodeTally {
  node: string;
  pid: number;
  /** Handler runs that did their work (duplicates included). */
  ran: number;
  /** Tasks this node acknowledged as finished. */
  done: number;
  retries: number;
  failures: number;
  ticks: number;
  stalledRecovered: number;
  status: 'running' | 'stopped' | 'killed';
  /** Ids this node ran but had not acknowledged (yet): in flight as far as the coordinator knows. */
  unacked: Set<string>;
}

/** Everything the coordinator learned, from which the summary is computed (nothing is assumed). */
export class Tally {
  readonly nodes = new Map<string, NodeTally>();
  /** Runs per task id that did their work. */
  readonly runs = new Map<string, number>();
  /** Task ids acknowledged finished (by any node, or found finished in the queue at the end). */
  readonly finished = new Set<string>();
  /** Runs per periodic tick. */
  readonly ticks = new Map<number, number>();
  /** Unacknowledged ids of each killed node at the moment it was killed. */
  readonly inFlightAtKill = new Set<string>();

  /** The tally of `node`, created on first sight. */
  nodeTally(node: string, pid = 0): NodeTally {
    let t = this.nodes.get(node);
    if (!t) {
      t = { node, pid, ran: 0, done: 0, retries: 0, failures: 0, ticks: 0, stalledRecovered: 0, status: 'running', unacked: new Set() };
      this.nodes.set(node, t);
    }
    return t;
  }

  /** Records one report. */
  add(r: NodeReport): void {
    const t = this.nodeTally(r.node);
    switch (r.type) {
      case 'ready':
        t.pid = r.pid;
        break;
      case 'ran':
        t.ran++;
        t.unacked.add(r.id);
        // A report still in the pipe when its node was killed: it was in flight at the kill.
        if (t.status === 'killed') this.inFlightAtKill.add(r.id);
        this.runs.set(r.id, (this.runs.get(r.id) ?? 0) + 1);
        break;
      case 'done':
        t.done++;
        t.unacked.delete(r.id);
        this.finished.add(r.id);
        break;
      case 'retry':
        t.retries++;
        break;
      case 'failed':
        t.failures++;
        break;
      case 'lost':
        t.unacked.delete(r.id);
        break;
      case 'stalled':
        t.stalledRecovered += r.count;
        break;
      case 'tick':
        t.ticks++;
        this.ticks.set(r.tick, (this.ticks.get(r.tick) ?? 0) + 1);
        break;
      case 'stopped':
        if (t.status === 'running') t.status = 'stopped';
        break;
    }
  }

  /** Marks `node` killed and remembers what it had in flight. */
  killed(node: string): void {
    const t = this.nodeTally(node);
    t.status = 'killed';
    for (const id of t.unacked) this.inFlightAtKill.add(id);
  }

  /** Ids that did their work more than once. */
  runTwice(): string[] {
    return [...this.runs].filter(([, n]) => n > 1).map(([id]) => id);
  }
}
