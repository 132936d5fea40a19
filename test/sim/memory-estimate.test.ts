/**
 * A stress configuration is sized before anything is allocated: the estimate (memory-estimate.ts,
 * docs/limits.md) is refused with E_LIMIT naming the estimate and what the machine has.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SvirtError } from '../../src/errors.js';
import { STRESS_MEMORY_COSTS, checkStressMemory, estimateStressMemory, machineMemory } from '../../src/sim/memory-estimate.js';
import { DEFAULTS } from '../../src/sim/options.js';
import { svirt } from '../support/cli.js';

const GiB = 1024 ** 3;
const opts = { workers: 2, ringOps: DEFAULTS.ringOps, avc: DEFAULTS.avc };
const roomy = { availableBytes: 64 * GiB, source: 'available', heapLimitBytes: 16 * GiB };

function refusal(fn: () => unknown): SvirtError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SvirtError);
    return err as SvirtError;
  }
  throw new Error('expected a refusal');
}

describe('stress memory estimate', () => {
  it('is the documented formula', () => {
    const c = STRESS_MEMORY_COSTS;
    const e = estimateStressMemory(1000, 4, opts);
    expect(e.totalBytes).toBe(c.base + 2 * (c.worker + DEFAULTS.ringOps * c.ringOp + DEFAULTS.avc.slots * c.avcSlot) + 1000 * c.guest + 4000 * c.image);
    expect(e.heapBytes).toBe(1000 * c.guestHeap + 4000 * c.imageHeap);
    // no more lanes than guests
    expect(estimateStressMemory(1, 1, { ...opts, workers: 64 })).toEqual(estimateStressMemory(1, 1, { ...opts, workers: 1 }));
  });

  it('grows with every dimension', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 523_776 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 256 }), (g, i, w) => {
        const e = estimateStressMemory(g, i, { ...opts, workers: w });
        expect(estimateStressMemory(g + 1, i, { ...opts, workers: w }).totalBytes).toBeGreaterThan(e.totalBytes);
        expect(estimateStressMemory(g, i + 1, { ...opts, workers: w }).totalBytes).toBeGreaterThan(e.totalBytes);
        expect(estimateStressMemory(g, i, { ...opts, workers: w + 1 }).totalBytes).toBeGreaterThanOrEqual(e.totalBytes);
      }),
      { seed: 15, numRuns: 200 },
    );
  });

  it('refuses the issue\'s 523,776 × 64 configuration on the JavaScript heap, naming both figures', () => {
    const e = refusal(() => checkStressMemory(523_776, 64, opts, { ...roomy, heapLimitBytes: 4 * GiB }));
    expect(e.code).toBe('E_LIMIT');
    expect(e.message).toBe(
      'stress: 523776 guests × 64 images, 2 workers: needs about 9.5 GiB of JavaScript heap for guests and images (14.1 GiB in all); use fewer guests or images (docs/limits.md) (limit 4.0 GiB JavaScript heap, node --max-old-space-size)',
    );
  });

  it('refuses what the machine (or its cgroup) cannot give, and accepts what fits', () => {
    const small = { availableBytes: 1 * GiB, source: 'available under the cgroup memory limit', heapLimitBytes: 4 * GiB };
    const e = refusal(() => checkStressMemory(200_000, 1, opts, small));
    expect(e.message).toMatch(/^stress: 200000 guests × 1 images, 2 workers: needs about 1\.\d GiB of memory; .* \(limit 1\.0 GiB available under the cgroup memory limit\)$/);
    expect(checkStressMemory(256, 2, opts, small).totalBytes).toBeLessThan(GiB);
    expect(checkStressMemory(523_776, 64, opts, roomy).totalBytes).toBeGreaterThan(14 * GiB);
  });

  it('reads this machine\'s figures', () => {
    const m = machineMemory();
    expect(m.availableBytes).toBeGreaterThan(0);
    expect(m.heapLimitBytes).toBeGreaterThan(0);
  });

  it('svirt stress refuses before allocating: exit 2, one line', async () => {
    const r = await svirt('stress', '--guests', '523776', '--images-per-guest', '64', '--workers', '2', '--ops', '4096');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^svirt: stress: 523776 guests × 64 images, 2 workers: needs about 9\.5 GiB of JavaScript heap .*\n$/);
    // one more guest than the MCS allocator can give is bad usage, not a memory question
    expect((await svirt('stress', '--guests', '523777')).err).toBe('svirt: --guests must be in 1..523776, got 523777\n');
  });
});
