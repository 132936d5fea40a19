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
    // the chunk the thread was running lost some batches; a chunk queued behind it lost none
    const running = run.metrics.lost.filter((l) => l.batchesExecuted > 0);
    expect(running).toHaveLength(1);
    expect(run.metrics.lost.length).toBeLessThanOrEqual(2);
    for (const l of run.metrics.lost) expect(l.retried).toBe(true);
    expect(run.metrics.ops).toBe(120_000);
    expect(run.verdict.status).toBe('PASS');
    expect(counts(run)).toEqual(counts(clean));
  });
});

describe('worker affinity', () => {
  it('each worker owns one lane for a whole --duration run', async () => {
    const run = await runStress(smallOptions({ ops: undefined, duration: '400ms' }));
    expect(run.verdict.status).toBe('PASS');
    const owned = [...run.metrics.threads.values()].map((t) => [...t.laneChunks.keys()]);
    expect(owned).toHaveLength(2);
    for (const lanes of owned) expect(lanes).toHaveLength(1);
    expect(new Set(owned.flat())).toEqual(new Set([0, 1]));
  });

  it('in an --ops run a worker runs its own lane and helps another only with second-half chunks', async () => {
    const run = await runStress(smallOptions({ ops: '400000' }));
    expect(run.metrics.ops).toBe(400_000);
    const perLane = Math.ceil(200_000 / run.chunkOps);
    const homes = new Set<number>();
    for (const t of run.metrics.threads.values()) {
      const [home, own] = [...t.laneChunks].sort((a, b) => b[1] - a[1])[0]!;
      homes.add(home);
      const helped = t.chunks - own;
      expect(own).toBeGreaterThanOrEqual(Math.floor(perLane / 2)); // the first half of a lane is its own worker's
      expect(helped).toBeLessThanOrEqual(perLane - Math.floor(perLane / 2));
    }
    expect(homes.size).toBe(2);
  });
});
