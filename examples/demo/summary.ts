import type { Tally } from './tally.js';

/** The numbers the demo ends with, all computed from what the nodes reported and the queue says. */
export interface DemoSummary {
  enqueued: number;
  finished: number;
  lost: number;
  runTwice: number;
  /** Of the tasks run twice, how many were not in flight on a killed node (must be 0). */
  unexplainedDuplicates: number;
  ticks: number;
  ticksRunTwice: number;
  elapsedMs: number;
}

/** Computes the summary; `lostIds` are the ids the queue does not have as finished at the end. */
export function summarize(tally: Tally, enqueued: number, lostIds: string[], elapsedMs: number): DemoSummary {
  const twice = tally.runTwice();
  return {
    enqueued,
    finished: enqueued - lostIds.length,
    lost: lostIds.length,
    runTwice: twice.length,
    unexplainedDuplicates: twice.filter((id) => !tally.inFlightAtKill.has(id)).length,
    ticks: tally.ticks.size,
    ticksRunTwice: [...tally.ticks.values()].filter((n) => n > 1).length,
    elapsedMs,
  };
}

function pad(text: string | number, width: number, right = false): string {
  const s = String(text);
  return right ? s.padStart(width) : s.padEnd(width);
}

/** The per-node table and the totals, as printed at the end of the demo. */
export function formatSummary(tally: Tally, s: DemoSummary): string {
  const rows = [...tally.nodes.values()].sort((a, b) => a.node.localeCompare(b.node));
  const w = Math.max(6, ...rows.map((r) => r.node.length));
  const lines = [
    '',
    `${pad('node', w)}  ${pad('pid', 7, true)}  ${pad('tasks run', 9, true)}  ${pad('retries', 7, true)}  ${pad('failures', 8, true)}  ${pad('ticks', 5, true)}  status`,
    `${'-'.repeat(w)}  ${'-'.repeat(7)}  ${'-'.repeat(9)}  ${'-'.repeat(7)}  ${'-'.repeat(8)}  ${'-'.repeat(5)}  -------`,
  ];
  let ran = 0;
  let retries = 0;
  let failures = 0;
  let ticks = 0;
  for (const r of rows) {
    ran += r.ran;
    retries += r.retries;
    failures += r.failures;
    ticks += r.ticks;
    lines.push(
      `${pad(r.node, w)}  ${pad(r.pid, 7, true)}  ${pad(r.ran, 9, true)}  ${pad(r.retries, 7, true)}  ${pad(r.failures, 8, true)}  ${pad(r.ticks, 5, true)}  ${r.status}`,
    );
  }
  lines.push(`${pad('total', w)}  ${pad('', 7)}  ${pad(ran, 9, true)}  ${pad(retries, 7, true)}  ${pad(failures, 8, true)}  ${pad(ticks, 5, true)}`);
  const seconds = s.elapsedMs / 1_000;
  lines.push(
    '',
    `tasks enqueued: ${s.enqueued}`,
    `tasks finished: ${s.finished}`,
    `tasks lost: ${s.lost}`,
    `tasks run twice: ${s.runTwice}${s.runTwice > 0 ? ` (all in flight on the killed node: ${s.unexplainedDuplicates === 0 ? 'yes' : `no, ${s.unexplainedDuplicates} were not`})` : ''}`,
    `periodic ticks: ${s.ticks} (run twice: ${s.ticksRunTwice})`,
    `elapsed: ${seconds.toFixed(1)} s (${Math.round(s.enqueued / Math.max(seconds, 0.001))} tasks/s)`,
  );
  return lines.join('\n');
}
