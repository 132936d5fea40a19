/**
 * `runBench`: select suites, run them in order, compute the same-run ratios, and (with a baseline)
 * judge the gate. The CLI (src/cli/commands/bench.ts) and the tests call this.
 */
import { compareGate, computeRatios, suitesForRatios, type Baseline } from './gate.js';
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
  const ratios = computeRatios(results);
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
