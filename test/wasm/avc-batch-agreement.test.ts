/**
 * The Wasm batch path (avcCheckBatch: a call-free inner loop for hits, leaving it for misses and
 * permissive grant-once) against single calls (avcHasPerm) on twin servers: the same answers and
 * the same AVC stats for any sequence, including zero requests, bad SIDs, misses, reclaims on a tiny
 * cache, and grant-once updates in permissive mode.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { createSecurityServer } from '../../src/security/server.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

function twin() {
  const model = svirtExampleBuilder().build();
  const avc = { slots: 8, threshold: 12, reclaim: 4 };
  const single = createSecurityServer(model, { avc });
  const batched = createSecurityServer(model, { avc });
  const sids: number[] = [0, 99999]; // never issued: denied, not cached
  for (let i = 0; i < 6; i++) {
    for (const ctx of [`system_u:system_r:svirt_t:s0:c${i},c${i + 10}`, `system_u:object_r:svirt_image_t:s0:c${i},c${i + 10}`]) {
      const a = single.contextToSid(ctx);
      expect(batched.contextToSid(ctx)).toBe(a);
      sids.push(a);
    }
  }
  const classes = [single.classValue('file'), single.classValue('process')];
  return { single, batched, sids, classes };
}

test('checkBatch == hasPermNoAudit, answers and stats, enforcing and permissive', () => {
  const { single, batched, sids, classes } = twin();
  const check = fc.record({
    s: fc.constantFrom(...sids),
    t: fc.constantFrom(...sids),
    c: fc.constantFrom(...classes),
    // 0 (a zero request), one permission bit, or a small mask
    r: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 }).map((b) => 1 << b), fc.integer({ min: 1, max: 0x3f })),
  });
  fc.assert(
    fc.property(fc.array(check, { minLength: 1, maxLength: 300 }), fc.boolean(), (checks, enforcing) => {
      single.setEnforcing(enforcing);
      batched.setEnforcing(enforcing);
      const n = checks.length;
      const s = Uint32Array.from(checks, (x) => x.s), t = Uint32Array.from(checks, (x) => x.t);
      const c = Uint32Array.from(checks, (x) => x.c), r = Uint32Array.from(checks, (x) => x.r);
      const out = new Uint8Array(n);
      batched.checkBatch(s, t, c, r, out);
      for (let i = 0; i < n; i++) {
        expect(out[i] === 1, `check ${i} of ${n}`).toBe(single.hasPermNoAudit(s[i]!, t[i]!, c[i]!, r[i]!));
      }
      expect(batched.avcStats()).toEqual(single.avcStats());
    }),
    { numRuns: 60, seed: 0x5eed },
  );
  const st = single.avcStats();
  expect(st.reclaims).toBeGreaterThan(0);
  expect(st.hits).toBeGreaterThan(0);
});
