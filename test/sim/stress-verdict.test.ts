/**
 * The verdict on a clean run and under every label fault: PASS, or FAIL with the right reason.
 * Needs the compiled worker (npm run build).
 */
import { describe, expect, it } from 'vitest';
import { runStress } from '../../src/sim/stress.js';
import { smallOptions } from './helpers.js';

describe('stress verdict', () => {
  it('passes a clean run: own images allowed as the server says, nothing across guests or to the host', async () => {
    const run = await runStress(smallOptions());
    expect(run.verdict.status).toBe('PASS');
    expect(run.verdict.breachCount).toBe(0);
    expect(run.verdict.mismatchCount).toBe(0);
    expect(run.metrics.ops).toBe(120_000);
    // every scope was exercised, and the own scope has allowed operations
    const allowedOwn = run.metrics.heat.reduce((a, v, i) => a + (i % 2 === 1 ? v : 0), 0);
    expect(allowedOwn).toBeGreaterThan(0);
  });

  it.each([
    ['duplicate-label', 'duplicate pair'],
    ['s0-image', 'image at s0'],
    ['unconfined-guest', 'guest type not MCS-constrained'],
  ] as const)('fault %s fails with reason "%s"', async (fault, reason) => {
    const run = await runStress(smallOptions({ fault: [fault], guests: '6', ops: '200000' }));
    expect(run.verdict.status).toBe('FAIL');
    expect(run.verdict.breaches.length).toBeGreaterThan(0);
    expect(run.verdict.breaches.some((b) => b.reasons.includes(reason))).toBe(true);
    expect(run.verdict.failures.join(' ')).toContain(reason);
    // the breach names a guest, an object and permissions
    const b = run.verdict.breaches.find((x) => x.reasons.includes(reason))!;
    expect(b.guest).toMatch(/^guest\d+$/);
    expect(b.object.length).toBeGreaterThan(0);
    expect(b.perms.length).toBeGreaterThan(0);
  });

  it('boolean-flip is survived: counts match the expectation of each boolean state', async () => {
    const run = await runStress(smallOptions({ fault: ['boolean-flip'] }));
    expect(run.booleanFlip?.name).toBe('virt_use_execmem');
    expect(run.verdict.status).toBe('PASS');
    expect(run.verdict.mismatchCount).toBe(0);
    // the flipped boolean grants file execute on own images: allowed executes exist only after the flip
    const { world, metrics } = run;
    const execOp = world.catalog.ops.findIndex((o) => o.perm === 'execute' && world.catalog.classes[o.cls]!.name === 'file');
    expect(execOp).toBeGreaterThanOrEqual(0);
    let allowedExec = 0;
    const P = world.catalog.ops.length;
    for (let v = 0; v < metrics.counts.length / 2; v++) if (v % P === execOp) allowedExec += metrics.counts[v * 2 + 1]!;
    expect(allowedExec).toBeGreaterThan(0);
  });
});
