/**
 * Mid-run faults: policy reload (acknowledged, no stale answers, same counts), worker crash
 * (lost batches reported, nothing counted twice or lost), seeded reproducibility.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/sim/options.js';
import { CHUNKS_IN_FLIGHT } from '../../src/sim/protocol.js';
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
    // The thread held at most CHUNKS_IN_FLIGHT chunks, and all of them are reported and re-run:
    // exactly one died half-way (the crash is injected mid-chunk). Any other is either queued
    // behind it (0 batches) or one it had finished whose result died with it (all its batches).
    const laneOps = 120_000 / 2;
    const batchesOf = (chunk: number): number => Math.ceil(Math.min(run.chunkOps, laneOps - chunk * run.chunkOps) / DEFAULTS.batchSize);
    const lost = run.metrics.lost;
    expect(lost.length).toBeGreaterThanOrEqual(1);
    expect(lost.length).toBeLessThanOrEqual(CHUNKS_IN_FLIGHT);
    expect(lost.filter((l) => l.batchesExecuted > 0 && l.batchesExecuted < batchesOf(l.chunk))).toHaveLength(1);
    for (const l of lost) {
      expect(l.retried).toBe(true);
      expect(l.batchesExecuted).toBeLessThanOrEqual(batchesOf(l.chunk));
    }
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
