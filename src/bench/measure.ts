/**
 * Timing with tinybench: every sample runs many checks (a whole query stream, e.g. 4096), so the
 * timer's own cost is spread thin (tinybench's README: sub-microsecond work is over-measured per
 * call). A case's figure is the median sample latency divided by the checks per sample.
 *
 * Rounds: the cases of one suite are run `rounds` times in turn (A B C, A B C, ...) and each case
 * keeps the median of its per-round medians, so a slow phase of a noisy machine hits every case
 * instead of one; ratios between cases of one run are what the gates compare.
 */
import { Bench } from 'tinybench';
import { benchError } from '../errors.js';

export interface TimedCase {
  readonly name: string;
  readonly opsPerSample: number;
  /** one sample; returns a number that is folded into a sink so the work cannot be dropped */
  sample(): number;
}

export interface TimingOptions {
  /** time budget per case per round, ms */
  readonly timeMs: number;
  readonly warmupMs: number;
  /** minimum samples per case per round */
  readonly minSamples: number;
  readonly rounds: number;
}

export interface Measured {
  /** median ns per check (or per operation) */
  readonly nsPerOp: number;
  readonly opsPerSample: number;
  /** samples over all rounds */
  readonly samples: number;
  /** per-round medians, ns per op */
  readonly rounds: readonly number[];
}

/** The folded results of every sample: a module-level store the JIT cannot drop, so the sampled work cannot be dropped either. */
let sink = 0;

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function measure(cases: readonly TimedCase[], opts: TimingOptions): Promise<Map<string, Measured>> {
  const perRound = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const samples = new Map<string, number>(cases.map((c) => [c.name, 0]));
  for (let r = 0; r < opts.rounds; r++) {
    const bench = new Bench({ time: opts.timeMs, warmupTime: opts.warmupMs, iterations: opts.minSamples, warmupIterations: 2, throws: true });
    for (const c of cases) {
      bench.add(c.name, () => {
        sink = (sink + c.sample()) | 0;
      });
    }
    const tasks = await bench.run();
    for (const t of tasks) {
      const c = cases.find((x) => x.name === t.name)!;
      const res = t.result;
      if (!('latency' in res)) throw benchError('peer-failed', `benchmark case "${t.name}" did not complete (${res.state})`);
      perRound.get(t.name)!.push((res.latency.p50 * 1e6) / c.opsPerSample);
      samples.set(t.name, samples.get(t.name)! + res.latency.samplesCount);
    }
  }
  const out = new Map<string, Measured>();
  for (const c of cases) {
    const rounds = perRound.get(c.name)!;
    out.set(c.name, { nsPerOp: median(rounds), opsPerSample: c.opsPerSample, samples: samples.get(c.name)!, rounds });
  }
  return out;
}
