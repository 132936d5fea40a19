/**
 * Gate comparison logic (src/bench/gate.ts): ratios within tolerance pass, beyond it fail with the
 * suite name and the figures, a ratio the run did not measure fails, bad baselines are typed errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BenchError } from '../../src/errors.js';
import { compareGate, computeRatios, parseBaseline, type Baseline, type MeasuredRatio } from '../../src/bench/gate.js';
import type { SuiteResult } from '../../src/bench/suites.js';

function ratio(name: string, suite: string, num: number, den: number): MeasuredRatio {
  return { name, suite, value: num / den, numeratorNs: num, denominatorNs: den, numerator: `${suite}/ours-batch`, denominator: `${suite}/ours-single` };
}

const baseline: Baseline = { version: 1, tolerance: 0.25, ratios: { 'batch/batch-vs-single': 0.3 } };

describe('compareGate', () => {
  it('passes within the tolerance', () => {
    const g = compareGate(baseline, { 'batch/batch-vs-single': ratio('batch/batch-vs-single', 'batch', 3.6, 10) }); // 0.36 <= 0.375
    expect(g.passed).toBe(true);
    expect(g.checks[0]!.status).toBe('pass');
  });

  it('fails beyond the tolerance, naming the suite and the figures', () => {
    const g = compareGate(baseline, { 'batch/batch-vs-single': ratio('batch/batch-vs-single', 'batch', 3.8, 10) }); // 0.38 > 0.375
    expect(g.passed).toBe(false);
    const c = g.checks[0]!;
    expect(c.status).toBe('fail');
    expect(c.suite).toBe('batch');
    expect(c.limit).toBeCloseTo(0.375, 10);
    expect(c.message).toContain('FAIL batch');
    expect(c.message).toContain('0.380');
    expect(c.message).toContain('limit 0.375');
    expect(c.message).toContain('baseline 0.300');
    expect(c.message).toContain('3.800 ns');
    expect(c.message).toContain('10.0 ns');
  });

  it('fails when a baseline ratio was not measured (never passes by not measuring)', () => {
    const g = compareGate(baseline, {});
    expect(g.passed).toBe(false);
    expect(g.checks[0]!.status).toBe('missing');
    expect(g.checks[0]!.message).toMatch(/FAIL batch: ratio batch\/batch-vs-single was not measured/);
  });

  it('an improvement beyond the tolerance passes and says so', () => {
    const g = compareGate(baseline, { 'batch/batch-vs-single': ratio('batch/batch-vs-single', 'batch', 1, 10) });
    expect(g.passed).toBe(true);
    expect(g.checks[0]!.status).toBe('improved');
    expect(g.checks[0]!.message).toContain('--save-baseline');
  });

  it('a per-ratio tolerance overrides the file tolerance for that ratio only', () => {
    const b: Baseline = { version: 1, tolerance: 0.25, ratios: { a: 1, b: 1 }, tolerances: { a: 1 } };
    const g = compareGate(b, { a: ratio('a', 'hit', 1.9, 1), b: ratio('b', 'hit', 1.3, 1) });
    expect(g.checks.map((c) => c.status)).toEqual(['pass', 'fail']);
    expect(g.checks[0]!.message).toContain('+100%');
  });

  it('property: pass iff measured <= baseline x (1 + tolerance)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 1000, noNaN: true }), fc.double({ min: 0.01, max: 2, noNaN: true }), fc.double({ min: 0.001, max: 1000, noNaN: true }), (base, tol, measured) => {
        const b: Baseline = { version: 1, tolerance: tol, ratios: { r: base } };
        const g = compareGate(b, { r: { ...ratio('r', 'hit', measured, 1), value: measured } });
        expect(g.passed).toBe(measured <= base * (1 + tol));
      }),
    );
  });
});

describe('computeRatios', () => {
  it('divides the numerator case by the denominator case of the same run, skipping what was not run', () => {
    const suites: SuiteResult[] = [
      {
        name: 'batch',
        title: 't',
        unit: 'check',
        notes: [],
        cases: [
          { id: 'ours-batch', label: 'a', role: 'ours', nsPerOp: 5, opsPerSample: 1, samples: 1, timedBy: 'tinybench' },
          { id: 'ours-single', label: 'b', role: 'reference', nsPerOp: 20, opsPerSample: 1, samples: 1, timedBy: 'tinybench' },
        ],
      },
    ];
    const r = computeRatios(suites);
    expect(Object.keys(r)).toEqual(['batch/batch-vs-single']);
    expect(r['batch/batch-vs-single']!.value).toBe(0.25);
  });
});

describe('parseBaseline', () => {
  const bad = (data: unknown, re: RegExp): void => {
    let err: unknown;
    try {
      parseBaseline(data, 'b.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BenchError);
    expect((err as BenchError).kind).toBe('bad-baseline');
    expect((err as Error).message).toMatch(re);
  };
  it('accepts a valid baseline', () => {
    expect(parseBaseline({ version: 1, tolerance: 0.25, ratios: { a: 1 } }).tolerance).toBe(0.25);
  });
  it('rejects bad files with the file and the field', () => {
    bad([], /b\.json: not a JSON object/);
    bad({ version: 2, tolerance: 0.25, ratios: { a: 1 } }, /"version" must be 1/);
    bad({ version: 1, tolerance: 0, ratios: { a: 1 } }, /"tolerance"/);
    bad({ version: 1, tolerance: 0.2, ratios: {} }, /"ratios" is empty/);
    bad({ version: 1, tolerance: 0.2, ratios: { a: -1 } }, /ratio "a" must be a positive number/);
    bad({ version: 1, tolerance: 0.2, ratios: { a: 'x' } }, /ratio "a"/);
    bad({ version: 1, tolerance: 0.2, ratios: { a: 1 }, tolerances: { b: 1 } }, /"tolerances" names "b"/);
    bad({ version: 1, tolerance: 0.2, ratios: { a: 1 }, tolerances: { a: 0 } }, /tolerance of "a"/);
  });
});
