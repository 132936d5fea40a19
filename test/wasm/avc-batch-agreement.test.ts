/**
 * The Wasm batch path (avcCheckBatch: groups of eight plain hits decided inline, leaving the group
 * for a miss, a zero request or a permissive grant-once) against single calls (avcHasPerm) on twin
 * servers: the same answers and the same AVC stats for any sequence, including zero requests, bad
 * SIDs, misses, reclaims on a tiny cache, and grant-once updates in permissive mode — under both
 * bucket hashes, on a tiny cache (mostly misses) and a roomy one (mostly whole groups of hits).
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { createSecurityServer } from '../../src/security/server.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

const GEOMETRIES = [
  { slots: 8, threshold: 12, reclaim: 4, hash: 'xor' },
  { slots: 8, threshold: 12, reclaim: 4, hash: 'murmur' },
  { slots: 512, threshold: 512, reclaim: 16, hash: 'xor' },
  { slots: 512, threshold: 512, reclaim: 16, hash: 'murmur' },
] as const;

function twin(avc: (typeof GEOMETRIES)[number]) {
  const model = svirtExampleBuilder().build();
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

test.each(GEOMETRIES)('checkBatch == hasPermNoAudit, answers and stats, enforcing and permissive ($slots slots, $hash)', (avc) => {
  const { single, batched, sids, classes } = twin(avc);
  // the roomy cache gets a few valid SIDs, so most checks hit and whole groups are hits
  const pool = avc.slots === 8 ? sids : sids.slice(2, 7);
  const check = fc.record({
    s: fc.constantFrom(...pool),
    t: fc.constantFrom(...pool),
    c: fc.constantFrom(...classes),
    // a zero request (rare, so whole groups of hits occur), one permission bit, or a small mask
    r: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 0, max: 5 }).map((b) => 1 << b), weight: 10 }, { arbitrary: fc.integer({ min: 1, max: 0x3f }), weight: 10 }),
  });
  fc.assert(
    fc.property(fc.array(check, { minLength: 1, maxLength: 300, size: 'max' }), fc.boolean(), (checks, enforcing) => {
      single.setEnforcing(enforcing);
      batched.setEnforcing(enforcing);
      const n = checks.length;
      const s = Uint32Array.from(checks, (x) => x.s), t = Uint32Array.from(checks, (x) => x.t);
      const c = Uint32Array.from(checks, (x) => x.c), r = Uint32Array.from(checks, (x) => x.r);
      const out = new Uint8Array(n);
      batched.checkBatch(s, t, c, r, out);
      for (let i = 0; i < n; i++) {
        // a zero request: denied in the batch, an E_BAD_ARGUMENT error on the single path
        if (r[i] === 0) {
          expect(() => single.hasPermNoAudit(s[i]!, t[i]!, c[i]!, r[i]!)).toThrow(expect.objectContaining({ code: 'E_BAD_ARGUMENT' }));
          expect(out[i], `check ${i} of ${n}`).toBe(0);
        } else expect(out[i] === 1, `check ${i} of ${n}`).toBe(single.hasPermNoAudit(s[i]!, t[i]!, c[i]!, r[i]!));
      }
      expect(batched.avcStats()).toEqual(single.avcStats());
    }),
    { numRuns: 60, seed: 0x5eed },
  );
  const st = single.avcStats();
  if (avc.slots === 8) expect(st.reclaims).toBeGreaterThan(0);
  else expect(st.hits).toBeGreaterThan(st.misses * 2); // the grouped hit path did most of the work
  expect(st.hits).toBeGreaterThan(0);
});
