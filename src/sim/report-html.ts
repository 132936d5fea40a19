/**
 * The `--html` report: one self-contained page (inline SVG and CSS; no scripts, fonts or network).
 *
 * Fixed layout (CSS px, absolutely positioned so a screenshot can be checked region by region):
 *   header      y    0 ..  130   verdict, configuration, totals
 *   throughput  y  150 ..  470   checks/s over time, one line per worker thread and their sum
 *   latency     y  490 ..  810   per-operation latency histogram (log2 ns buckets)
 *   heatmap     y  830 .. 1630   attacker guests (rows) × images by owner + host objects (columns);
 *                                 a cell with any breach is pure red (#ff0000), nothing else is red
 *   details     y 1650 ..        breaches, decisions, audit samples (text)
 * All charts sit in x 40 .. 1240.
 */
import { writeFileSync } from 'node:fs';
import { ioError } from '../errors.js';
import type { StressReport } from './report-json.js';

export const HTML_LAYOUT = {
  width: 1280,
  header: { y: 0, h: 130 },
  throughput: { x: 40, y: 150, w: 1200, h: 320 },
  latency: { x: 40, y: 490, w: 1200, h: 320 },
  heatmap: { x: 40, y: 830, w: 1200, h: 800 },
  details: { y: 1650 },
} as const;

/** Line colours per worker: blues, greens, purples, greys — never red (red means breach). */
const PALETTE = ['#1f5fbf', '#2a9d4b', '#7b3fb5', '#0e8a8a', '#5a6b7d', '#b58b00', '#3b3bd6', '#6a8f2a'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return `${Math.round(n)}`;
}

function axes(w: number, h: number, pad: number, title: string, yMax: number, yUnit: string, xLabel: string): string {
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = h - pad - f * (h - 2 * pad);
      return `<line x1="${pad}" y1="${y}" x2="${w - 10}" y2="${y}" stroke="#dde3ea" stroke-width="1"/><text x="${pad - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="#333">${fmt(f * yMax)}${yUnit}</text>`;
    })
    .join('');
  return `<text x="${pad}" y="18" font-size="15" font-weight="bold" fill="#111">${esc(title)}</text>${ticks}<line x1="${pad}" y1="${h - pad}" x2="${w - 10}" y2="${h - pad}" stroke="#333" stroke-width="1.5"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#333" stroke-width="1.5"/><text x="${w / 2}" y="${h - 8}" text-anchor="middle" font-size="12" fill="#333">${esc(xLabel)}</text>`;
}

/** Ticks of a time axis in seconds: about five, at round steps. */
function timeTicks(totalMs: number): number[] {
  const totalS = Math.max(totalMs / 1000, 1e-3);
  const raw = totalS / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((x) => x >= raw) ?? raw;
  const out: number[] = [];
  for (let t = 0; t <= totalS + 1e-9; t += step) out.push(t);
  return out;
}

export function throughputSvg(r: StressReport): string {
  const { w, h } = HTML_LAYOUT.throughput;
  const pad = 60;
  const series = r.throughput.threads;
  const n = Math.max(1, ...series.map((s) => s.opsPerSec.length));
  // all workers together: the run's aggregate rate per bucket
  const total = Array.from({ length: n }, (_, i) => series.reduce((a, s) => a + (s.opsPerSec[i] ?? 0), 0));
  const lanes = series.length > 1 ? [...series, { threadId: -1, opsPerSec: total }] : series;
  const yMax = Math.max(1, ...lanes.flatMap((s) => s.opsPerSec)) * 1.1;
  const bucketS = r.throughput.bucketMs / 1000;
  // bucket i is drawn at its midpoint
  const spanS = n * bucketS;
  const xs = (t: number): number => pad + (t / spanS) * (w - pad - 10);
  const x = (i: number): number => xs((i + 0.5) * bucketS);
  const y = (v: number): number => h - pad - (v / yMax) * (h - 2 * pad);
  const lines = lanes
    .map((s, k) => {
      const isTotal = s.threadId === -1;
      const color = isTotal ? '#222222' : PALETTE[k % PALETTE.length]!;
      const pts = s.opsPerSec.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      const single = s.opsPerSec.length === 1 ? `<circle cx="${x(0)}" cy="${y(s.opsPerSec[0]!)}" r="5" fill="${color}"/>` : '';
      const lx = w - 150 * (lanes.length - k);
      const label = isTotal ? 'all workers' : `worker ${s.threadId}`;
      return `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="${isTotal ? 2 : 2.5}"${isTotal ? ' stroke-dasharray="6 4"' : ''}/>${single}<rect x="${lx}" y="${pad - 24}" width="14" height="10" fill="${color}"/><text x="${lx + 20}" y="${pad - 15}" font-size="12" fill="#333">${label}</text>`;
    })
    .join('');
  const ticks = timeTicks(spanS * 1000)
    .map((t) => `<line x1="${xs(t).toFixed(1)}" y1="${h - pad}" x2="${xs(t).toFixed(1)}" y2="${h - pad + 5}" stroke="#333"/><text x="${xs(t).toFixed(1)}" y="${h - pad + 18}" text-anchor="middle" font-size="11" fill="#333">${Number(t.toPrecision(3))} s</text>`)
    .join('');
  const mean = r.totals.elapsedMs > 0 ? r.totals.opsPerSec : 0;
  return `<svg xmlns="http://www.w3.org/2000/svg" id="throughput" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${axes(w, h, pad, `Throughput over time (checks/s; run mean ${fmt(mean)}/s)`, yMax, '', `time since the first chunk (${r.throughput.bucketMs} ms buckets)`)}${ticks}${lines}</svg>`;
}

export function latencySvg(r: StressReport): string {
  const { w, h } = HTML_LAYOUT.latency;
  const pad = 60;
  const all = r.latencyNs.opHistogram;
  // from the bucket before the first non-empty one to the last non-empty one
  const first = all.findIndex((b) => b.count > 0);
  let last = all.length - 1;
  while (last > 0 && all[last]!.count === 0) last--;
  const buckets = first < 0 ? [] : all.slice(Math.max(0, first - 1), last + 1);
  const n = Math.max(1, buckets.length);
  const yMax = Math.max(1, ...buckets.map((b) => b.count)) * 1.1;
  const bw = (w - pad - 10) / n;
  const bars = buckets
    .map((b, i) => {
      const bh = (b.count / yMax) * (h - 2 * pad);
      return `<rect x="${(pad + i * bw + 1).toFixed(1)}" y="${(h - pad - bh).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="#1f5fbf"><title>${fmt(b.ns)}–${fmt(2 * b.ns)} ns: ${b.count} operations</title></rect><text x="${(pad + (i + 0.5) * bw).toFixed(1)}" y="${h - pad + 14}" text-anchor="middle" font-size="10" fill="#333">${fmt(b.ns)}</text>`;
    })
    .join('');
  const l = r.latencyNs.op;
  return `<svg xmlns="http://www.w3.org/2000/svg" id="latency" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${axes(w, h, pad, `Latency per check (operations per log2 ns bucket): p50 ${l.p50} ns · p99 ${l.p99} ns · p99.9 ${l.p999} ns`, yMax, '', 'ns per check (batch time / batch size); bucket label = lower bound')}${bars}</svg>`;
}

export function heatmapSvg(r: StressReport): string {
  const { w, h } = HTML_LAYOUT.heatmap;
  const hm = r.heatmap;
  const left = 110;
  const top = 56;
  const bottom = 70;
  const cw = (w - left - 10) / hm.cols;
  const ch = (h - top - bottom) / hm.rows;
  const maxAttempts = Math.max(1, ...hm.cells.map((c) => c[0]));
  const rects: string[] = [];
  for (let row = 0; row < hm.rows; row++) {
    for (let col = 0; col < hm.cols; col++) {
      const [attempts, allowed, anomalies] = hm.cells[row * hm.cols + col]!;
      let fill: string;
      if (anomalies > 0) fill = '#ff0000';
      else if (attempts === 0) fill = '#f3f5f8';
      else {
        const t = Math.sqrt(attempts / maxAttempts);
        // own images (allowed traffic) in green, denied cross traffic in blue; never red
        const own = col === row && col < hm.rows;
        const lo = own ? [200, 235, 205] : [205, 220, 240];
        const hi = own ? [20, 130, 60] : [30, 70, 160];
        const mix = (i: number): number => Math.round(lo[i]! + (hi[i]! - lo[i]!) * t);
        fill = `rgb(${mix(0)},${mix(1)},${mix(2)})`;
      }
      rects.push(`<rect x="${(left + col * cw).toFixed(2)}" y="${(top + row * ch).toFixed(2)}" width="${Math.max(0.5, cw - 0.5).toFixed(2)}" height="${Math.max(0.5, ch - 0.5).toFixed(2)}" fill="${fill}"><title>${esc(hm.rowLabels[row]!)} → ${esc(hm.colLabels[col]!)}: ${attempts} ops, ${allowed} allowed, ${anomalies} breaches</title></rect>`);
    }
  }
  const every = Math.ceil(hm.rows / 24);
  const rowText = hm.rowLabels
    .map((l, i) => (i % every === 0 ? `<text x="${left - 6}" y="${(top + (i + 0.5) * ch + 3.5).toFixed(1)}" text-anchor="end" font-size="10" fill="#333">${esc(l)}</text>` : ''))
    .join('');
  // guest columns mirror the rows: the first guest of every labelled bin, above the grid
  const colText = hm.rowLabels
    .map((l, i) => (i % every === 0 ? `<text x="${(left + (i + 0.5) * cw).toFixed(1)}" y="${top - 6}" text-anchor="middle" font-size="9" fill="#333">${esc(l.replace(/^guest/, '').replace(/-.*$/, ''))}</text>` : ''))
    .join('');
  const hostCols = hm.colLabels.slice(hm.rows);
  const sepX = left + hm.rows * cw;
  const hostText = hostCols.map((_, i) => `<text x="${(sepX + (i + 0.5) * cw).toFixed(1)}" y="${top - 6}" text-anchor="middle" font-size="10" font-weight="bold" fill="#333">H${i + 1}</text>`).join('');
  const hostKey = hostCols.map((l, i) => `H${i + 1} ${esc(l)}`).join(' · ');
  const gridBottom = top + hm.rows * ch;
  return `<svg xmlns="http://www.w3.org/2000/svg" id="heatmap" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><text x="${left}" y="18" font-size="15" font-weight="bold" fill="#111">Access heatmap: attacking guests (rows) × images and processes by owner guest, then host objects (columns) — red = breach</text><text x="${left}" y="${top - 22}" font-size="11" fill="#333">owner guest (first of bin) →</text>${rects.join('')}<line x1="${sepX.toFixed(1)}" y1="${top - 4}" x2="${sepX.toFixed(1)}" y2="${gridBottom.toFixed(1)}" stroke="#111" stroke-width="2"/>${rowText}${colText}${hostText}<text x="${left}" y="${(gridBottom + 20).toFixed(1)}" font-size="12" fill="#333">host objects: ${hostKey}</text><text x="${left}" y="${(gridBottom + 38).toFixed(1)}" font-size="12" fill="#333">green: own images (diagonal) · blue: other guests and host objects (denied traffic), darker = more operations · grey: not exercised · red: at least one breach</text></svg>`;
}

function table(headers: string[], rows: Array<Array<string | number>>): string {
  return `<table><tr>${headers.map((x) => `<th>${esc(x)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join('')}</tr>`).join('')}</table>`;
}

export function renderHtml(r: StressReport): string {
  const L = HTML_LAYOUT;
  const pass = r.verdict.status === 'PASS';
  const breaches = r.verdict.breaches.slice(0, 200).map((b) => [b.guest, b.object, b.objectContext, b.tclass, b.perms.join(' '), b.count, b.reasons.join('; ')]);
  const decisions = r.decisions.map((d) => [d.scope, d.tclass, d.allowed, d.denied]);
  const workers = r.workers.map((t) => [t.threadId, t.ops, fmt(t.opsPerSec), t.latencyNs.batch.p50, t.latencyNs.batch.p99, t.avc.hits, t.avc.misses, t.avc.reclaims]);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>svirt stress — ${r.verdict.status}</title>
<style>
html,body{margin:0;padding:0;background:#ffffff;font-family:sans-serif;color:#111;overflow-x:hidden}
.abs{position:absolute;left:0}
#head{top:${L.header.y}px;height:${L.header.h}px;width:${L.width - 40}px;padding:0 40px;box-sizing:border-box}
#head h1{margin:14px 0 6px 0;font-size:26px}
.verdict{display:inline-block;padding:2px 14px;border-radius:4px;color:#fff;background:${pass ? '#1b7f3b' : '#222'}}
#head p{margin:3px 0;font-size:13px}
#tp{top:${L.throughput.y}px;left:${L.throughput.x}px}
#lat{top:${L.latency.y}px;left:${L.latency.x}px}
#hm{top:${L.heatmap.y}px;left:${L.heatmap.x}px}
#details{top:${L.details.y}px;left:40px;width:1200px}
table{border-collapse:collapse;font-size:12px;margin:6px 0 18px 0}
td,th{border:1px solid #ccd;padding:2px 6px;text-align:left}
pre{font-size:11px;white-space:pre-wrap}
</style></head><body>
<div id="head" class="abs"><h1>svirt stress <span class="verdict">${r.verdict.status}</span></h1>
<p>${r.config.guests} guests × ${r.config.imagesPerGuest} images · ${r.config.workers} workers · policy ${esc(r.config.policy)} · seed ${r.seed} · faults: ${esc(r.config.faults.join(', ') || 'none')}</p>
<p>${fmt(r.totals.ops)} checks in ${(r.totals.elapsedMs / 1000).toFixed(2)} s = ${fmt(r.totals.opsPerSec)}/s (steady ${fmt(r.totals.steadyOpsPerSec)}/s) · AVC hit rate ${(r.avc.hitRate * 100).toFixed(2)}% · breaches ${r.verdict.breachCount} · audit records ${r.audit.records}</p>
<p>${esc(r.verdict.failures.join(' | ') || 'no own-image answer differed from the security server; no cross-boundary access was allowed')}</p></div>
<div id="tp" class="abs">${throughputSvg(r)}</div>
<div id="lat" class="abs">${latencySvg(r)}</div>
<div id="hm" class="abs">${heatmapSvg(r)}</div>
<div id="details" class="abs">
<h2>Breaches (${r.verdict.breachCount})</h2>${breaches.length ? table(['guest', 'object', 'object context', 'class', 'permissions', 'count', 'why'], breaches) : '<p>none</p>'}
<h2>Decisions</h2>${table(['scope', 'class', 'allowed', 'denied'], decisions)}
<h2>Workers</h2>${table(['thread', 'ops', 'ops/s', 'batch p50 ns', 'batch p99 ns', 'AVC hits', 'misses', 'reclaims'], workers)}
<h2>Audit samples (${r.audit.records} records)</h2><pre>${esc(r.audit.samples.join('\n'))}</pre>
</div></body></html>
`;
}

export function writeHtmlReport(path: string, report: StressReport): void {
  try {
    writeFileSync(path, renderHtml(report));
  } catch (err) {
    throw ioError(path, err);
  }
}
