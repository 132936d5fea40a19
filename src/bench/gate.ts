/**
 * Performance gates: RATIOS of two cases measured in the same run, compared with a committed
 * baseline. Absolute times never gate (they follow the machine); a ratio of two medians taken
 * seconds apart on the same machine mostly does not.
 *
 * Every ratio is oriented "higher is worse": numerator = the case whose regression we want to
 * catch, denominator = its yardstick. A ratio fails when measured > baseline x (1 + tolerance); a
 * ratio the run did not produce fails too (a gate must never pass by not measuring). Ratios that
 * improved beyond the tolerance pass with a hint to refresh the baseline.
 *
 * Baseline file (bench/baseline.json):
 *   { "version": 1, "tolerance": 0.25, "ratios": { "<name>": <number>, ... }, "machine": {...}, ... }
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { benchError, ioError } from '../errors.js';
import type { MachineInfo } from './machine.js';
import type { SuiteResult } from './suites.js';

export interface RatioDef {
  readonly name: string;
  /** the suite the gate message names */
  readonly suite: string;
  readonly numerator: { readonly suite: string; readonly id: string };
  readonly denominator: { readonly suite: string; readonly id: string };
  readonly meaning: string;
}

export const RATIO_DEFS: readonly RatioDef[] = [
  {
    name: 'hit/ours-vs-plain-typed',
    suite: 'hit',
    numerator: { suite: 'hit', id: 'ours-single' },
    denominator: { suite: 'hit', id: 'plain-typed' },
    meaning: 'AVC hit: our single call vs the plain-TS typed-array AVC',
  },
  {
    name: 'hit/ours-vs-plain-map',
    suite: 'hit',
    numerator: { suite: 'hit', id: 'ours-single' },
    denominator: { suite: 'hit', id: 'plain-map' },
    meaning: 'AVC hit: our single call vs the plain-TS Map AVC',
  },
  {
    name: 'batch/batch-vs-single',
    suite: 'batch',
    numerator: { suite: 'batch', id: 'ours-batch' },
    denominator: { suite: 'batch', id: 'ours-single' },
    meaning: 'checkBatch x4096 per check vs hasPermNoAudit per check',
  },
  {
    name: 'batch/batch-vs-plain-typed',
    suite: 'batch',
    numerator: { suite: 'batch', id: 'ours-batch' },
    denominator: { suite: 'batch', id: 'plain-typed' },
    meaning: 'checkBatch x4096 per check vs the plain-TS typed-array AVC',
  },
  {
    name: 'miss/ours-vs-plain-typed',
    suite: 'miss',
    numerator: { suite: 'miss', id: 'ours-single' },
    denominator: { suite: 'miss', id: 'plain-typed' },
    meaning: 'AVC miss path: ours vs the plain-TS typed-array compute_av',
  },
  {
    name: 'miss/hit-vs-miss',
    suite: 'miss',
    numerator: { suite: 'hit', id: 'ours-single' },
    denominator: { suite: 'miss', id: 'ours-single' },
    meaning: 'our AVC hit vs our AVC miss (a slower hit path raises it)',
  },
];

export interface MeasuredRatio {
  readonly name: string;
  readonly suite: string;
  readonly value: number;
  readonly numeratorNs: number;
  readonly denominatorNs: number;
  readonly numerator: string;
  readonly denominator: string;
}

/** Every ratio whose two cases were measured in this run. */
export function computeRatios(suites: readonly SuiteResult[], defs: readonly RatioDef[] = RATIO_DEFS): Record<string, MeasuredRatio> {
  const ns = (suite: string, id: string): number | undefined => suites.find((s) => s.name === suite)?.cases.find((c) => c.id === id)?.nsPerOp;
  const out: Record<string, MeasuredRatio> = {};
  for (const d of defs) {
    const a = ns(d.numerator.suite, d.numerator.id);
    const b = ns(d.denominator.suite, d.denominator.id);
    if (a === undefined || b === undefined || !(a > 0) || !(b > 0)) continue;
    out[d.name] = {
      name: d.name,
      suite: d.suite,
      value: a / b,
      numeratorNs: a,
      denominatorNs: b,
      numerator: `${d.numerator.suite}/${d.numerator.id}`,
      denominator: `${d.denominator.suite}/${d.denominator.id}`,
    };
  }
  return out;
}

/** The suites a set of ratio names needs. */
export function suitesForRatios(names: readonly string[], defs: readonly RatioDef[] = RATIO_DEFS): string[] {
  const set = new Set<string>();
  for (const n of names) {
    const d = defs.find((x) => x.name === n);
    if (d) {
      set.add(d.numerator.suite);
      set.add(d.denominator.suite);
    }
  }
  return [...set];
}

export interface Baseline {
  readonly version: 1;
  /** allowed relative worsening, e.g. 0.25 = 25% */
  readonly tolerance: number;
  readonly ratios: Readonly<Record<string, number>>;
  /** per-ratio tolerance overrides for ratios that are noisier than the rest */
  readonly tolerances?: Readonly<Record<string, number>>;
  readonly machine?: MachineInfo;
  readonly createdAt?: string;
  readonly note?: string;
}

export const DEFAULT_TOLERANCE = 0.25;

/** Validate a parsed baseline (E_BENCH bad-baseline naming the file and the field). */
export function parseBaseline(data: unknown, file = '<baseline>'): Baseline {
  const bad = (msg: string): never => {
    throw benchError('bad-baseline', `${file}: ${msg}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return bad('not a JSON object');
  const o = data as Record<string, unknown>;
  if (o['version'] !== 1) bad(`"version" must be 1, got ${JSON.stringify(o['version'])}`);
  const tol = o['tolerance'];
  if (typeof tol !== 'number' || !Number.isFinite(tol) || tol <= 0 || tol > 10) bad(`"tolerance" must be a number in (0, 10], got ${JSON.stringify(tol)}`);
  const ratios = o['ratios'];
  if (typeof ratios !== 'object' || ratios === null || Array.isArray(ratios)) return bad('"ratios" must be an object of name: number');
  const entries = Object.entries(ratios as Record<string, unknown>);
  if (entries.length === 0) bad('"ratios" is empty: a gate with nothing to compare would always pass');
  for (const [k, v] of entries) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) bad(`ratio "${k}" must be a positive number, got ${JSON.stringify(v)}`);
  }
  const tols = o['tolerances'];
  if (tols !== undefined) {
    if (typeof tols !== 'object' || tols === null || Array.isArray(tols)) bad('"tolerances" must be an object of name: number');
    for (const [k, v] of Object.entries(tols as Record<string, unknown>)) {
      if (!(k in (ratios as Record<string, unknown>))) bad(`"tolerances" names "${k}", which is not in "ratios"`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 10) bad(`tolerance of "${k}" must be a number in (0, 10], got ${JSON.stringify(v)}`);
    }
  }
  return data as Baseline;
}

export function readBaseline(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw ioError(path, e);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw benchError('bad-baseline', `${path}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, e);
  }
  return parseBaseline(data, path);
}

export function makeBaseline(ratios: Record<string, MeasuredRatio>, machine: MachineInfo, tolerance = DEFAULT_TOLERANCE): Baseline {
  const values: Record<string, number> = {};
  for (const [k, r] of Object.entries(ratios)) values[k] = Number(r.value.toPrecision(4));
  return {
    version: 1,
    tolerance,
    ratios: values,
    machine,
    createdAt: new Date().toISOString(),
    note: 'ratios of medians measured in one run (svirt bench --quick); higher is worse; see docs/benchmarks.md',
  };
}

export function writeBaseline(path: string, b: Baseline): void {
  try {
    writeFileSync(path, JSON.stringify(b, null, 2) + '\n');
  } catch (e) {
    throw ioError(path, e);
  }
}

export type GateStatus = 'pass' | 'fail' | 'missing' | 'improved';

export interface GateCheck {
  readonly name: string;
  readonly suite: string;
  readonly status: GateStatus;
  readonly baseline: number;
  /** baseline x (1 + tolerance) */
  readonly limit: number;
  readonly measured?: MeasuredRatio;
  readonly message: string;
}

export interface GateResult {
  readonly passed: boolean;
  readonly tolerance: number;
  readonly checks: readonly GateCheck[];
}

const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3));

/** Compare measured ratios with a baseline (see the module comment for the rule). */
export function compareGate(baseline: Baseline, measured: Readonly<Record<string, MeasuredRatio>>): GateResult {
  const checks: GateCheck[] = Object.entries(baseline.ratios).map(([name, base]) => {
    const tol = baseline.tolerances?.[name] ?? baseline.tolerance;
    const pct = `${Math.round(tol * 100)}%`;
    const limit = base * (1 + tol);
    const m = measured[name];
    const suite = m?.suite ?? RATIO_DEFS.find((d) => d.name === name)?.suite ?? name.split('/')[0] ?? name;
    if (!m) {
      return { name, suite, status: 'missing', baseline: base, limit, message: `FAIL ${suite}: ratio ${name} was not measured in this run (baseline ${f(base)})` };
    }
    const figures = `${m.numerator} ${f(m.numeratorNs)} ns / ${m.denominator} ${f(m.denominatorNs)} ns`;
    if (m.value > limit) {
      return {
        name,
        suite,
        status: 'fail',
        baseline: base,
        limit,
        measured: m,
        message: `FAIL ${suite}: ${name} = ${f(m.value)} > limit ${f(limit)} (baseline ${f(base)} +${pct}; ${figures})`,
      };
    }
    const improved = m.value < base / (1 + tol);
    return {
      name,
      suite,
      status: improved ? 'improved' : 'pass',
      baseline: base,
      limit,
      measured: m,
      message: `${improved ? 'ok (improved; consider --save-baseline)' : 'ok'} ${suite}: ${name} = ${f(m.value)} <= ${f(limit)} (baseline ${f(base)} +${pct}; ${figures})`,
    };
  });
  return { passed: checks.every((c) => c.status === 'pass' || c.status === 'improved'), tolerance: baseline.tolerance, checks };
}
