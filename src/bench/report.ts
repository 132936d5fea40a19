/**
 * Bench reports: the human table (terminal), a Markdown table (docs/benchmarks.md, README) and the
 * JSON document `--json FILE` writes. "x ours" is a case's ns per op divided by the suite's `ours`
 * case: 1.00 is ours, 40 means forty times slower than ours, 0.5 twice as fast.
 */
import { writeFileSync } from 'node:fs';
import { ioError } from '../errors.js';
import type { GateResult, MeasuredRatio } from './gate.js';
import { formatMachine, type MachineInfo } from './machine.js';
import type { CaseResult, SuiteResult } from './suites.js';

export interface BenchReport {
  readonly tool: 'svirt bench';
  readonly version: 1;
  readonly startedAt: string;
  readonly elapsedMs: number;
  readonly quick: boolean;
  readonly machine: MachineInfo;
  readonly suites: readonly SuiteResult[];
  readonly ratios: Readonly<Record<string, MeasuredRatio>>;
  gate?: GateResult;
}

/** ns with 3 significant digits (1.23, 12.3, 123, 12,345). */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '-';
  if (ns >= 1000) return Math.round(ns).toLocaleString('en-US');
  return ns >= 100 ? ns.toFixed(0) : ns >= 10 ? ns.toFixed(1) : ns.toFixed(2);
}

/** per second, e.g. 46.7 M, 212 k. */
export function formatRate(nsPerOp: number): string {
  if (!(nsPerOp > 0)) return '-';
  const r = 1e9 / nsPerOp;
  if (r >= 1e9) return `${(r / 1e9).toFixed(2)} G`;
  if (r >= 1e6) return `${(r / 1e6).toFixed(r >= 1e8 ? 0 : 1)} M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(r >= 1e5 ? 0 : 1)} k`;
  return r.toFixed(0);
}

export function ratioToOurs(s: SuiteResult, c: CaseResult): number | undefined {
  const ours = s.cases.find((x) => x.role === 'ours');
  return ours && ours.nsPerOp > 0 ? c.nsPerOp / ours.nsPerOp : undefined;
}

function formatRatio(r: number | undefined): string {
  if (r === undefined) return '-';
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

function pad(cells: readonly string[], widths: readonly number[], right: readonly boolean[]): string {
  return cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
}

export function formatText(r: BenchReport): string {
  const out: string[] = [];
  out.push(`svirt bench${r.quick ? ' --quick' : ''} — ${r.startedAt}`);
  out.push(`machine: ${formatMachine(r.machine)}`);
  for (const s of r.suites) {
    out.push('', `== ${s.name}: ${s.title}`);
    if (s.skipped) {
      out.push(`   skipped: ${s.skipped}`);
      continue;
    }
    const head = ['case', `ns/${s.unit}`, `${s.unit}s/s`, 'x ours', 'note'];
    const rows = s.cases.map((c) => [
      `${c.role === 'ours' ? '* ' : '  '}${c.label}`,
      formatNs(c.nsPerOp),
      formatRate(c.nsPerOp),
      formatRatio(ratioToOurs(s, c)),
      c.timedBy === 'tinybench' ? (c.note ?? '') : `${c.note ?? ''} [${c.timedBy}]`,
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const right = [false, true, true, true, false];
    out.push(`   ${pad(head, widths, right)}`);
    for (const row of rows) out.push(`   ${pad(row, widths, right)}`);
    for (const n of s.notes) out.push(`   - ${n}`);
  }
  const ratios = Object.values(r.ratios);
  if (ratios.length > 0) {
    out.push('', '== ratios (same run; higher is worse)');
    for (const x of ratios) out.push(`   ${x.name.padEnd(28)} ${x.value.toFixed(3).padStart(9)}   (${x.numerator} ${formatNs(x.numeratorNs)} ns / ${x.denominator} ${formatNs(x.denominatorNs)} ns)`);
  }
  if (r.gate) {
    out.push('', `== gate (tolerance ${Math.round(r.gate.tolerance * 100)}%): ${r.gate.passed ? 'PASS' : 'FAIL'}`);
    for (const c of r.gate.checks) out.push(`   ${c.message}`);
  }
  out.push('', `total ${(r.elapsedMs / 1000).toFixed(1)} s; medians of per-round medians; * = the row "x ours" divides by`);
  return out.join('\n') + '\n';
}

/** The same tables in Markdown (what docs/benchmarks.md and the README show). */
export function formatMarkdown(r: BenchReport): string {
  const out: string[] = [];
  out.push(`Machine: ${formatMachine(r.machine)}. Run: ${r.startedAt}${r.quick ? ' (--quick)' : ''}.`, '');
  for (const s of r.suites) {
    out.push(`**${s.name}** — ${s.title}`, '');
    if (s.skipped) {
      out.push(`skipped: ${s.skipped}`, '');
      continue;
    }
    out.push(`| case | ns/${s.unit} | ${s.unit}s/s | x ours | note |`, '|---|---:|---:|---:|---|');
    for (const c of s.cases) {
      const name = c.role === 'ours' ? `**${c.label}**` : c.label;
      out.push(`| ${name} | ${formatNs(c.nsPerOp)} | ${formatRate(c.nsPerOp)} | ${formatRatio(ratioToOurs(s, c))} | ${(c.note ?? '').replace(/\|/g, '\\|')}${c.timedBy === 'tinybench' ? '' : ` (${c.timedBy})`} |`);
    }
    out.push('');
    for (const n of s.notes) out.push(`- ${n}`);
    if (s.notes.length > 0) out.push('');
  }
  return out.join('\n');
}

export function writeJson(path: string, r: BenchReport): void {
  try {
    writeFileSync(path, JSON.stringify(r, null, 2) + '\n');
  } catch (e) {
    throw ioError(path, e);
  }
}

export function writeText(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw ioError(path, e);
  }
}
