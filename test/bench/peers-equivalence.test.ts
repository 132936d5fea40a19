/**
 * Peer equivalence: every peer gives the engine's decisions on a few thousand queries of the sVirt
 * workload (hit and miss shapes, embedded policy; the Debian policy when installed), and the
 * verifier names the peer and the first differing query when one does not.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BenchError } from '../../src/errors.js';
import { loadEmbeddedPolicy, loadPolicyFile } from '../../src/policy/load.js';
import type { PolicyModel } from '../../src/policy/model.js';
import { prepareCasbin } from '../../src/bench/peers/casbin.js';
import { prepareCedar } from '../../src/bench/peers/cedar.js';
import { compileEmbedded, LIBSEPOL_HINT, locateHarness, prepareLibsepol } from '../../src/bench/peers/libsepol.js';
import { preparePlainTs } from '../../src/bench/peers/plain-ts.js';
import { prepareWasmBatch, prepareWasmSingle, resolveForWasm } from '../../src/bench/peers/wasm.js';
import { flattenRules, rulesDecide, type SvirtRules } from '../../src/bench/rules.js';
import { MISS_AVC, DEBIAN_POLICY } from '../../src/bench/suites.js';
import { verifyPeer } from '../../src/bench/verify.js';
import { buildWorkload, type Workload, type WorkloadShape } from '../../src/bench/workload.js';

function workload(model: PolicyModel, shape: WorkloadShape, queries: number): { w: Workload; rules: SvirtRules } {
  let rules: SvirtRules | undefined;
  const w = buildWorkload(model, { shape, queries, guests: shape === 'hit' ? 8 : 64, exclude: (f) => (rules = flattenRules(f)).unmodeled });
  return { w, rules: rules! };
}

function engineDecisions(w: Workload, miss: boolean): Uint8Array {
  const out = new Uint8Array(w.queries.length);
  prepareWasmSingle(resolveForWasm(w, miss ? MISS_AVC : undefined), { name: 'svirt' }).decideAll(out);
  return out;
}

function granted(d: Uint8Array): number {
  return d.reduce((a, b) => a + b, 0);
}

describe.each([
  ['hit', 3000],
  ['miss', 3000],
] as const)('embedded policy, %s workload', (shape, n) => {
  const model = loadEmbeddedPolicy();
  const { w, rules } = workload(model, shape, n);
  const ours = engineDecisions(w, shape === 'miss');

  it('the workload mixes grants and denials (a peer that always says no cannot pass)', () => {
    expect(granted(ours)).toBeGreaterThan(n * 0.2);
    expect(granted(ours)).toBeLessThan(n * 0.95);
  });

  it('the flattened rules decide exactly like the engine', () => {
    w.queries.forEach((q, i) => {
      expect(rulesDecide(rules, w.labels[q.subj]!, w.labels[q.obj]!, q.cls, q.bit) ? 1 : 0, `query #${i}`).toBe(ours[i]);
    });
  });

  it('Wasm batch, plain-TS Map and typed-array peers agree', () => {
    const r = resolveForWasm(w, shape === 'miss' ? MISS_AVC : undefined);
    verifyPeer(w, ours, prepareWasmBatch(r, { name: 'batch x16', batchSize: 16 }));
    const avc = shape === 'miss' ? MISS_AVC : undefined;
    verifyPeer(w, ours, preparePlainTs(w, { name: 'plain map', variant: 'map', ...(avc ? { avc } : {}) }));
    verifyPeer(w, ours, preparePlainTs(w, { name: 'plain typed', variant: 'typed', ...(avc ? { avc } : {}) }));
  });

  it('casbin agrees', async () => {
    verifyPeer(w, ours, await prepareCasbin(w, rules, 64));
  });

  it('Cedar agrees', async () => {
    verifyPeer(w, ours, await prepareCedar(w, rules, 16));
  });

  it('libsepol (conformance harness, embedded policy compiled by checkpolicy) agrees', () => {
    const h = locateHarness();
    const p = compileEmbedded();
    if ('reason' in h || 'reason' in p) {
      console.warn(`\n*** SKIPPED libsepol peer: ${'reason' in h ? h.reason : ''} ${'reason' in p ? p.reason : ''} — ${LIBSEPOL_HINT} ***\n`);
      return;
    }
    verifyPeer(w, ours, prepareLibsepol(w, h.path, p.path, 'embedded'));
  });
});

describe('verifyPeer', () => {
  it('names the peer and the first differing query, with both verdicts', () => {
    const { w } = workload(loadEmbeddedPolicy(), 'hit', 500);
    const ours = engineDecisions(w, false);
    const k = 123;
    const liar = { name: 'liar', decideAll: (out: Uint8Array) => (out.set(ours), (out[k] = ours[k] === 1 ? 0 : 1)) };
    let err: unknown;
    try {
      verifyPeer(w, ours, liar);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BenchError);
    expect((err as BenchError).kind).toBe('peer-mismatch');
    const msg = (err as Error).message;
    expect(msg).toContain('peer "liar" disagrees with svirt on query #123 of 500');
    expect(msg).toContain(w.labels[w.queries[k]!.subj]!.context);
    expect(msg).toMatch(/svirt: (granted|denied), liar: (granted|denied)/);
  });
});

describe('Debian reference policy', () => {
  const have = existsSync(DEBIAN_POLICY);
  if (!have) console.warn(`\n*** SKIPPED Debian peer equivalence: ${DEBIAN_POLICY} missing — apt-get install selinux-policy-default checkpolicy libsepol-dev ***\n`);
  it.runIf(have)('plain-TS peers, casbin and libsepol agree with the engine on policy.33 (miss workload)', async () => {
    const { w, rules } = workload(loadPolicyFile(DEBIAN_POLICY), 'miss', 2000);
    const ours = engineDecisions(w, true);
    expect(granted(ours)).toBeGreaterThan(0);
    verifyPeer(w, ours, preparePlainTs(w, { name: 'plain map', variant: 'map', avc: MISS_AVC }));
    verifyPeer(w, ours, preparePlainTs(w, { name: 'plain typed', variant: 'typed', avc: MISS_AVC }));
    verifyPeer(w, ours, await prepareCasbin(w, rules, 64));
    w.queries.forEach((q, i) => expect(rulesDecide(rules, w.labels[q.subj]!, w.labels[q.obj]!, q.cls, q.bit) ? 1 : 0, `query #${i}`).toBe(ours[i]));
    const h = locateHarness();
    if ('reason' in h) console.warn(`\n*** SKIPPED libsepol on policy.33: ${h.reason} ***\n`);
    else verifyPeer(w, ours, prepareLibsepol(w, h.path, DEBIAN_POLICY, 'Debian'));
  });
});
