/**
 * Mid-run faults: policy reload (acknowledged, no stale answers, same counts), worker crash
 * (lost batches reported, nothing counted twice or lost), seeded reproducibility.
 */
import { describe, expect, it } from 'vitest';
import { runStress } from '../../src/sim/stress.js';
import { smallOptions } from './helpers.js';

function counts(run: Awaited<ReturnType<typeof runStress>>): number[] {
  return Array.from(run.metrics.counts);
}

describe('stress runtime faults and reproducibility', () => {
  it('a seeded --ops run is reproducible in its decisions and counts', async () => {
    const a = await runStress(smallOptions());
    const b = await runStress(smallOptions());
    expect(counts(a)).toEqual(counts(b));
    expect(Array.from(a.metrics.heat)).toEqual(Array.from(b.metrics.heat));
    const c = await runStress(smallOptions({ seed: '8' }));
    expect(counts(c)).not.toEqual(counts(a));
  });

  it('policy-reload: workers acknowledge the new seqno, no stale answer, counts unchanged', async () => {
    const clean = await runStress(smallOptions());
    const run = await runStress(smallOptions({ fault: ['policy-reload'] }));
    expect(run.verdict.status).toBe('PASS');
    expect(run.policyReload?.generation).toBe(1);
    expect(run.metrics.acks.length).toBeGreaterThan(0);
    for (const ack of run.metrics.acks) expect(ack.seqno).toBeGreaterThanOrEqual(run.policyReload!.seqno);
    expect(run.metrics.staleAnswers).toEqual([]);
    // a reload of the same policy changes no decision
    expect(counts(run)).toEqual(counts(clean));
  });

  it('worker-crash: the lost batches are reported, the chunk re-runs, every operation counted once', async () => {
    const clean = await runStress(smallOptions());
    const run = await runStress(smallOptions({ fault: ['worker-crash'] }));
    expect(run.metrics.lost.length).toBe(1);
    const lost = run.metrics.lost[0]!;
    expect(lost.batchesExecuted).toBeGreaterThan(0);
    expect(lost.retried).toBe(true);
    expect(run.metrics.ops).toBe(120_000);
    expect(run.verdict.status).toBe('PASS');
    expect(counts(run)).toEqual(counts(clean));
  });
});
