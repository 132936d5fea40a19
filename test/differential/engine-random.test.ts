/**
 * Differential: the Wasm security server (computeAvReason, hasPermNoAudit, checkBatch) against the
 * plain-TS reference (referenceComputeAv) on random PolicyModels. ≥ 100,000 queries in total;
 * the seed of a failing model is printed so it can be replayed (SVIRT_DIFF_SEED=<seed>).
 */
import { describe, expect, test } from 'vitest';
import { formatContext } from '../../src/context/context.js';
import { createSecurityServer } from '../../src/security/server.js';
import { referenceComputeAv } from '../../src/security/reference.js';
import { AVD_FLAGS_PERMISSIVE, type ReasonedDecision } from '../../src/types.js';
import type { ContextValue, PolicyModel } from '../../src/policy/model.js';
import { Rng, randomContexts, randomPolicy } from '../support/random-policy.js';

const MODELS = 60;
const QUERIES_PER_PHASE = 600;
const PHASES = 3; // initial booleans, then two rounds of random boolean flips

function expectedDecision(model: PolicyModel, s: ContextValue, t: ContextValue, tclass: number, bools: boolean[], requested: number): ReasonedDecision {
  const ref = referenceComputeAv(model, s, t, tclass, bools, requested);
  const cls = model.classes[tclass - 1];
  if (cls && model.handleUnknown === 'allow') {
    // K map_decision with allow_unknown: permission bits the class does not define are allowed
    const known = cls.perms.length >= 32 ? 0xffffffff : (1 << cls.perms.length) - 1;
    return { ...ref, allowed: (ref.allowed | ~known) >>> 0 };
  }
  return ref;
}

function runModel(seed: number): number {
  const model = randomPolicy(seed, { handleUnknown: seed % 7 === 0 ? 'allow' : 'deny' });
  const rng = new Rng(seed ^ 0x9e3779b9);
  const ss = createSecurityServer(model, { avc: { slots: 16, threshold: 24, reclaim: 4 } });
  const contexts = randomContexts(model, rng, 24);
  if (contexts.length < 2) return 0;
  const sids = contexts.map((c) => ss.contextToSid(formatContext(model, c)));
  const bools = model.bools.map((b) => b.defaultState);
  let n = 0;
  for (let phase = 0; phase < PHASES; phase++) {
    if (phase > 0) {
      for (const b of model.bools) {
        if (rng.chance(0.5)) {
          bools[b.value - 1] = !bools[b.value - 1];
          ss.setBoolean(b.name, bools[b.value - 1]!);
        }
      }
    }
    const batch = { s: new Uint32Array(QUERIES_PER_PHASE), t: new Uint32Array(QUERIES_PER_PHASE), c: new Uint32Array(QUERIES_PER_PHASE), r: new Uint32Array(QUERIES_PER_PHASE) };
    const single: boolean[] = [];
    for (let q = 0; q < QUERIES_PER_PHASE; q++) {
      const i = rng.int(0, contexts.length - 1);
      const j = rng.int(0, contexts.length - 1);
      const tclass = rng.chance(0.03) ? rng.pick([0, model.classes.length + 1]) : rng.int(1, model.classes.length);
      const np = model.classes[tclass - 1]?.perms.length ?? 32;
      const known = np >= 32 ? 0xffffffff : (1 << np) - 1;
      let requested = (rng.u32() & (rng.chance(0.5) ? rng.u32() : 0xffffffff) & known) >>> 0;
      if (model.handleUnknown !== 'allow' && rng.chance(0.05)) requested = rng.u32();
      if (rng.chance(0.02)) requested = 0;
      const exp = expectedDecision(model, contexts[i]!, contexts[j]!, tclass, bools, requested);
      const got = ss.computeAvReason(sids[i]!, sids[j]!, tclass, requested);
      const where = `seed=${seed} phase=${phase} q=${q} s=${formatContext(model, contexts[i]!)} t=${formatContext(model, contexts[j]!)} class=${tclass} req=0x${requested.toString(16)}`;
      expect({ ...got, seqno: 0 }, where).toEqual(exp);
      // AVC path: granted iff everything requested is allowed, or the domain is permissive
      const validClass = tclass >= 1 && tclass <= model.classes.length;
      const grant = validClass && requested !== 0 && ((requested & ~exp.allowed) >>> 0 === 0 || (exp.flags & AVD_FLAGS_PERMISSIVE) !== 0);
      // requested 0 asks for nothing: an E_BAD_ARGUMENT error on the single path, a denial in a batch
      let hp = false;
      if (requested === 0) expect(() => ss.hasPermNoAudit(sids[i]!, sids[j]!, tclass, requested), where).toThrow(expect.objectContaining({ code: 'E_BAD_ARGUMENT' }));
      else hp = ss.hasPermNoAudit(sids[i]!, sids[j]!, tclass, requested);
      expect(hp, `hasPermNoAudit ${where}`).toBe(grant);
      single.push(hp);
      batch.s[q] = sids[i]!;
      batch.t[q] = sids[j]!;
      batch.c[q] = tclass;
      batch.r[q] = requested;
      n++;
    }
    const out = new Uint8Array(QUERIES_PER_PHASE);
    ss.checkBatch(batch.s, batch.t, batch.c, batch.r, out);
    expect([...out].map((x) => x === 1), `checkBatch seed=${seed} phase=${phase}`).toEqual(single);
    const st = ss.avcStats();
    expect(st.lookups).toBe(st.hits + st.misses);
    expect(st.allocations - st.frees).toBe(st.activeNodes);
  }
  return n;
}

describe('Wasm engine == reference on random policies', () => {
  const only = process.env.SVIRT_DIFF_SEED;
  const base = 0x5eed0000;
  const seeds = only ? [Number(only)] : Array.from({ length: MODELS }, (_, i) => base + i * 7919);
  test(`${seeds.length} models x ${PHASES * QUERIES_PER_PHASE} queries (computeAvReason + hasPermNoAudit)`, () => {
    let total = 0;
    for (const seed of seeds) {
      try {
        total += runModel(seed);
      } catch (e) {
        console.error(`differential failure: replay with SVIRT_DIFF_SEED=${seed}`);
        throw e;
      }
    }
    if (!only) expect(total).toBeGreaterThanOrEqual(100_000);
  });
});
