import { METRICS, type MetricKey } from './metrics.js';
import { median, type Results } from './report.js';
import { fmt } from './stats.js';

const COLORS: Record<string, string> = {
  Baton: '#2f7d32',
  BullMQ: '#d9822b',
  'bee-queue': '#c9a227',
  redlock: '#5b6fb5',
  'redis-semaphore': '#8e5bb5',
};
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A hand-written SVG: one panel per scenario, one horizontal bar per library (medians), each
 * panel scaled to its own largest value, "lower is better" panels marked.
 */
export function barChart(results: Results, panels: Array<{ key: MetricKey; subjects: string[] }>): string {
  const width = 760;
  const labelW = 130;
  const barH = 16;
  const gap = 4;
  const titleH = 22;
  const panelGap = 14;
  const parts: string[] = [];
  let y = 34;
  for (const { key, subjects } of panels) {
    const rows = subjects.map((s) => ({ s, v: median(results, s, key) })).filter((r) => Number.isFinite(r.v));
    if (rows.length === 0) continue;
    const def = METRICS[key];
    const max = Math.max(...rows.map((r) => r.v), 1e-9);
    parts.push(`<text x="8" y="${y + 14}" class="t">${esc(def.label)} (${esc(def.unit)}${def.better === 'lower' ? ', lower is better' : ''})</text>`);
    y += titleH;
    for (const { s, v } of rows) {
      const w = Math.max(1, ((width - labelW - 110) * v) / max);
      parts.push(`<text x="${labelW - 6}" y="${y + barH - 4}" class="l" text-anchor="end">${esc(s)}</text>`);
      parts.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[s] ?? '#888'}"/>`);
      parts.push(`<text x="${(labelW + w + 6).toFixed(1)}" y="${y + barH - 4}" class="v">${esc(fmt(v))}</text>`);
      y += barH + gap;
    }
    y += panelGap;
  }
  const height = y + 4;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>.t{font-size:13px;font-weight:bold;fill:#222}.l{font-size:12px;fill:#333}.v{font-size:11px;fill:#333}.h{font-size:15px;font-weight:bold;fill:#111}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    '<text x="8" y="20" class="h">Baton vs BullMQ, bee-queue, redlock, redis-semaphore (medians of 5 runs, one Redis)</text>',
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
