/**
 * `runBench`: select suites, run them in order, compute the same-run ratios, and (with a baseline)
 * judge the gate. The CLI (src/cli/commands/bench.ts) and the tests call this.
 */
import { compareGate, computeRatios, suitesForRatios, type Baseline, type MeasuredRatio } from './gate.js';
import { machineInfo } from './machine.js';
import type { BenchReport } from './report.js';
import { defaultSuiteOptions, selectSuites, SUITES, type SuiteOptions, type SuiteResult } from './suites.js';

export interface RunBenchOptions {
  /** suite names (--suite, repeatable); empty = all, or the quick set with --quick */
  readonly suites?: readonly string[];
  readonly quick?: boolean;
  /** compare with this baseline; its ratios' suites are added to the selection */
  readonly baseline?: Baseline;
  /** overrides of the suite options (tests: hooks, policy, timing) */
  readonly overrides?: Partial<SuiteOptions>;
  log?(line: string): void;
}

/** per ratio, the lower (better) of two measurements */
function betterOf(a: Record<string, MeasuredRatio>, b: Record<string, MeasuredRatio>): Record<string, MeasuredRatio> {
  const out: Record<string, MeasuredRatio> = { ...b };
  for (const [name, r] of Object.entries(a)) {
    const other = b[name];
    if (!other || r.value < other.value) out[name] = r;
  }
  return out;
}

export async function runBench(o: RunBenchOptions = {}): Promise<BenchReport> {
  const quick = o.quick ?? false;
  const log = o.log ?? (() => {});
  const opts: SuiteOptions = { ...defaultSuiteOptions(quick, log), ...o.overrides };
  let selected = selectSuites(o.suites ?? [], quick);
  if (o.baseline) {
    const need = suitesForRatios(Object.keys(o.baseline.ratios));
    selected = SUITES.filter((s) => selected.includes(s) || need.includes(s.name));
  }
  const startedAt = new Date();
  const t0 = performance.now();
  const results: SuiteResult[] = [];
  for (const s of selected) {
    log(`running ${s.name}: ${s.title}`);
    const ts = performance.now();
    results.push(await s.run(opts));
    log(`  ${s.name} done in ${((performance.now() - ts) / 1000).toFixed(1)} s`);
  }
  let ratios = computeRatios(results);
  if (o.baseline && !compareGate(o.baseline, ratios).passed) {
    // Confirm before failing: a regression must show in two measurements in a row. The suites of
    // the failing ratios run once more and each ratio keeps the better (lower) of its two values,
    // so one noisy sample on a busy 2-core machine does not fail CI, while a real slowdown does.
    const failing = compareGate(o.baseline, ratios).checks.filter((c) => c.status === 'fail' || c.status === 'missing');
    const again = suitesForRatios(failing.map((c) => c.name));
    log(`gate: ${failing.map((c) => c.name).join(', ')} beyond tolerance; measuring ${again.join(', ')} again to confirm`);
    const rerun: SuiteResult[] = [];
    for (const s of SUITES.filter((x) => again.includes(x.name))) rerun.push(await s.run(opts));
    const second = computeRatios([...results.filter((r) => !again.includes(r.name)), ...rerun]);
    ratios = betterOf(ratios, second);
  }
  const report: BenchReport = {
    tool: 'svirt bench',
    version: 1,
    startedAt: startedAt.toISOString(),
    elapsedMs: performance.now() - t0,
    quick,
    machine: machineInfo(),
    suites: results,
    ratios,
  };
  if (o.baseline) report.gate = compareGate(o.baseline, ratios);
  return report;
}
