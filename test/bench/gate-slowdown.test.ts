/**
 * The gate catches a deliberate slowdown: the batch suite runs once clean to make a baseline, then
 * with a busy-wait wrapped around every Wasm checkBatch call (BenchHooks.wrapBatchCall). The gate
 * must fail naming the batch suite; a second clean run must pass the same baseline.
 * Margins are wide on purpose (tolerance 100%, slowdown ~1 ms per 4096-check call, i.e. tens of
 * times the call itself) so a noisy 2-core machine cannot flip either verdict.
 */
import { describe, expect, it } from 'vitest';
import { compareGate, makeBaseline } from '../../src/bench/gate.js';
import { machineInfo } from '../../src/bench/machine.js';
import { runBench } from '../../src/bench/run.js';
import type { SuiteOptions } from '../../src/bench/suites.js';

const timing: SuiteOptions['timing'] = { timeMs: 60, warmupMs: 20, minSamples: 5, rounds: 3 };

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: the injected slowdown
  }
}

describe('gate vs a deliberate slowdown of the Wasm batch call', () => {
  it('fails with the slowdown injected and passes without it', async () => {
    const clean = await runBench({ suites: ['batch'], quick: true, overrides: { timing, peers: false } });
    const r0 = clean.ratios['batch/batch-vs-single'];
    expect(r0).toBeDefined();
    const baseline = makeBaseline({ 'batch/batch-vs-single': r0! }, machineInfo(), 1.0);

    const slowed = await runBench({
      suites: ['batch'],
      quick: true,
      baseline,
      overrides: { timing, peers: false, hooks: { wrapBatchCall: (call) => (busyWait(1), call()) } },
    });
    expect(slowed.gate).toBeDefined();
    expect(slowed.gate!.passed).toBe(false);
    const failing = slowed.gate!.checks.find((c) => c.status === 'fail');
    expect(failing?.suite).toBe('batch');
    expect(failing?.message).toMatch(/^FAIL batch: batch\/batch-vs-single = [\d.]+ > limit/);
    expect(slowed.suites[0]!.notes.join(' ')).toContain('INJECTED');

    const again = await runBench({ suites: ['batch'], quick: true, baseline, overrides: { timing, peers: false } });
    expect(again.gate!.passed, again.gate!.checks.map((c) => c.message).join('\n')).toBe(true);
    // the same comparison done by hand agrees with the report's
    expect(compareGate(baseline, again.ratios).passed).toBe(true);
  });
});
