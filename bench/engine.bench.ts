/**
 * Engine benchmark (tinybench 6): the Wasm AVC and security server against plain-TS peers,
 * measured in the same run. Every sample performs many checks (4096 for hits, 512 for misses), and
 * figures are medians per check.
 *
 *   hit, single call   Wasm export `hasPerm` in a JS loop (one hot call site), and via the facade
 *   call boundary      an empty Wasm export with the same signature: the floor of a single call
 *   hit, batch         one `checkBatch` call over 4096 requests in Wasm memory views
 *   miss               compute_av bypassing the AVC (Wasm `computeAv`) vs referenceComputeAv
 *   plain TS           typed-avc.ts: the same cache in typed arrays (same hash, node contents,
 *                      stats, seqno and grant-once rules), single calls and a batch loop over the
 *                      same arrays; map-avc.ts: the idiomatic Map cache (hit-path baseline only)
 * After timing, the typed-array peer and the Wasm AVC are driven through the same random
 * sequence on a tiny cache (misses, reclaims, permissive grant-once) and must agree on every answer
 * and every stat, so the peer is checked to do the same work.
 *
 * Run: npx tsx bench/engine.bench.ts [--time ms] [--json]
 * Policy: policies/svirt.conf when present, else Debian's policy.33, else the test example model.
 */
import { existsSync } from 'node:fs';
import { Bench } from 'tinybench';
import { formatContext } from '../src/context/context.js';
import type { ContextValue, PolicyModel } from '../src/policy/model.js';
import { embeddedPolicyPath, loadEmbeddedPolicy, loadPolicyFile } from '../src/policy/load.js';
import { referenceComputeAv } from '../src/security/reference.js';
import { createSecurityServer } from '../src/security/server.js';
import { WasmEngine } from '../src/wasm/engine.js';
import { Rng, randomContexts } from '../test/support/random-policy.js';
import { MapAvc } from './plain-ts/map-avc.js';
import { D_ALLOWED, D_AUDITALLOW, D_AUDITDENY, D_FLAGS, D_SEQNO, TypedAvc, type ComputeFn } from './plain-ts/typed-avc.js';
import { flagValue, hasFlag, isMainModule } from './script.js';

const HIT_N = 4096;
const MISS_N = 512;
const KEYS = 256;

export interface EngineBenchRow {
  name: string;
  /** median ns per check */
  nsPerCheck: number;
  checksPerSample: number;
  samples: number;
}

export interface EngineBenchReport {
  policy: string;
  rows: EngineBenchRow[];
  /** plain-TS typed-array peer (the equivalent) / Wasm, per check; > 1 means Wasm is faster */
  ratios: { hitSingle: number; hitBatch: number; miss: number };
}

async function pickPolicy(): Promise<{ name: string; model: PolicyModel }> {
  if (existsSync(embeddedPolicyPath())) return { name: 'policies/svirt.conf', model: loadEmbeddedPolicy() };
  const debian = '/etc/selinux/default/policy/policy.33';
  if (existsSync(debian)) return { name: debian, model: loadPolicyFile(debian) };
  const { svirtExampleBuilder } = await import('../test/support/model-builder.js');
  return { name: 'test example model', model: svirtExampleBuilder().build() };
}

export async function runEngineBench(options: { time?: number } = {}): Promise<EngineBenchReport> {
  const { name, model } = await pickPolicy();
  const ss = createSecurityServer(model);
  const rng = new Rng(0xbe4c);
  const contexts: ContextValue[] = randomContexts(model, rng, 64);
  const sids = contexts.map((c) => ss.contextToSid(formatContext(model, c)));
  const bools = model.bools.map((b) => b.defaultState);
  const ruleClasses = [...new Set(model.avtab.map((e) => e.tclass))];

  // KEYS distinct (ssid, tsid, tclass) keys; requests are single permissions or small masks
  const keyS: number[] = [], keyT: number[] = [], keyC: number[] = [], keyCtx: Array<[number, number]> = [];
  const seen = new Set<string>();
  while (keyS.length < KEYS) {
    const i = rng.int(0, sids.length - 1);
    const j = rng.int(0, sids.length - 1);
    const c = ruleClasses.length ? rng.pick(ruleClasses) : rng.int(1, model.classes.length);
    const k = `${i}:${j}:${c}`;
    if (seen.has(k)) continue;
    seen.add(k);
    keyS.push(sids[i]!);
    keyT.push(sids[j]!);
    keyC.push(c);
    keyCtx.push([i, j]);
  }
  const s = new Uint32Array(HIT_N), t = new Uint32Array(HIT_N), c = new Uint32Array(HIT_N), r = new Uint32Array(HIT_N);
  for (let n = 0; n < HIT_N; n++) {
    const k = n % KEYS;
    s[n] = keyS[k]!;
    t[n] = keyT[k]!;
    c[n] = keyC[k]!;
    const np = model.classes[keyC[k]! - 1]!.perms.length;
    r[n] = (1 << rng.int(0, np - 1)) >>> 0;
  }

  // engines: one for single calls, one for batches (one hot call site per instance)
  const single = WasmEngine.create(ss.exportImage(), ss.exportSidTable());
  const batched = WasmEngine.create(ss.exportImage(), ss.exportSidTable());
  const hasPerm = single.core.hasPerm;
  const views = batched.batch();
  views.ssid.set(s);
  views.tsid.set(t);
  views.tclass.set(c);
  views.requested.set(r);
  const out = new Uint8Array(HIT_N);

  // plain-TS peers compute misses with the TS reference security server
  const ctxBySid = new Map<number, ContextValue>();
  sids.forEach((sid, i) => ctxBySid.set(sid, contexts[i]!));
  const compute: ComputeFn = (ssid, tsid, tclass, requested, d) => {
    const sc = ctxBySid.get(ssid), tc = ctxBySid.get(tsid);
    if (!sc || !tc || tclass < 1 || tclass > model.classes.length) return 1;
    const av = referenceComputeAv(model, sc, tc, tclass, bools, requested);
    d[D_ALLOWED] = av.allowed;
    d[D_AUDITALLOW] = av.auditallow;
    d[D_AUDITDENY] = av.auditdeny;
    d[D_SEQNO] = ss.seqno;
    d[D_FLAGS] = av.flags;
    return 0;
  };
  const mapAvc = new MapAvc(compute);
  const typedAvc = new TypedAvc(compute);
  const typedBatched = new TypedAvc(compute);
  typedAvc.reset(ss.seqno);
  typedBatched.reset(ss.seqno);
  const typedOut = new Uint8Array(HIT_N);
  // warm every cache with the same sequence and check that all implementations agree
  single.runBatch(0);
  batched.runBatch(HIT_N);
  typedBatched.checkBatch(s, t, c, r, typedOut, 1); // feedback for all of checkBatch first (see below)
  typedBatched.checkBatch(s, t, c, r, typedOut, HIT_N);
  for (let n = 0; n < HIT_N; n++) {
    const w = hasPerm(s[n]!, t[n]!, c[n]!, r[n]!);
    if (w !== views.out[n] || w !== typedOut[n] || w !== mapAvc.hasPerm(s[n]!, t[n]!, c[n]!, r[n]!) || w !== typedAvc.hasPerm(s[n]!, t[n]!, c[n]!, r[n]!) || (w === 1) !== ss.hasPermNoAudit(s[n]!, t[n]!, c[n]!, r[n]!)) {
      throw new Error(`bench: implementations disagree at check ${n}`);
    }
  }
  sameStats('warm-up', single.stats(), typedAvc.stats());
  const boundary = single.core['benchBoundary'] as (a: number, b: number, c: number, d: number) => number;

  // Each task is a loop function of its check count. Every one is first run with a count of 1, so
  // V8 has type feedback for all of its code (also after the loop) before it optimizes it: a loop
  // optimized on-stack while the code after it had never run deoptimizes at the loop exit again and
  // again (seen with --trace-deopt), which would time the deopt cycle instead of the checks.
  let sink = 0;
  const loops: Array<[string, (count: number) => number, number]> = [
    ['wasm hit, single call (raw export)', (count) => {
      let acc = 0;
      for (let n = 0; n < count; n++) acc += hasPerm(s[n]!, t[n]!, c[n]!, r[n]!);
      return acc;
    }, HIT_N],
    ['wasm hit, single call (SecurityServer.hasPermNoAudit)', (count) => {
      let acc = 0;
      for (let n = 0; n < count; n++) acc += ss.hasPermNoAudit(s[n]!, t[n]!, c[n]!, r[n]!) ? 1 : 0;
      return acc;
    }, HIT_N],
    ['wasm hit, batch (runBatch over memory views)', (count) => {
      batched.runBatch(count);
      return views.out[count - 1]!;
    }, HIT_N],
    ['wasm hit, batch (SecurityServer.checkBatch, copies in/out)', (count) => {
      ss.checkBatch(s, t, c, r, out, count);
      return out[count - 1]!;
    }, HIT_N],
    ['wasm call boundary (empty export, same signature)', (count) => {
      let acc = 0;
      for (let n = 0; n < count; n++) acc += boundary(s[n]!, t[n]!, c[n]!, r[n]!);
      return acc;
    }, HIT_N],
    ['plain TS hit, typed-array cache, single calls', (count) => {
      let acc = 0;
      for (let n = 0; n < count; n++) acc += typedAvc.hasPerm(s[n]!, t[n]!, c[n]!, r[n]!);
      return acc;
    }, HIT_N],
    ['plain TS hit, typed-array cache, batch loop', (count) => {
      typedBatched.checkBatch(s, t, c, r, typedOut, count);
      return typedOut[count - 1]!;
    }, HIT_N],
    ['plain TS hit, Map cache (baseline, not equivalent)', (count) => {
      let acc = 0;
      for (let n = 0; n < count; n++) acc += mapAvc.hasPerm(s[n]!, t[n]!, c[n]!, r[n]!);
      return acc;
    }, HIT_N],
    ['wasm miss, compute_av (no AVC)', (count) => {
      const compute = single.core.computeAv;
      let acc = 0;
      for (let n = 0; n < count; n++) acc += compute(s[n]!, t[n]!, c[n]!, r[n]!);
      return acc;
    }, MISS_N],
    ['plain TS miss, referenceComputeAv', (count) => {
      let acc = 0;
      for (let n = 0; n < count; n++) {
        const [i, j] = keyCtx[n % KEYS]!;
        acc += referenceComputeAv(model, contexts[i]!, contexts[j]!, c[n]!, bools, r[n]!).allowed & 1;
      }
      return acc;
    }, MISS_N],
  ];
  const bench = new Bench({ time: options.time ?? 1000, warmupTime: 500 });
  for (const [taskName, loop, count] of loops) {
    for (let k = 0; k < 3; k++) sink ^= loop(1);
    bench.add(taskName, () => {
      sink ^= loop(count);
    });
  }
  await bench.run();
  // after timing, so that its miss/reclaim/grant-once traffic cannot shape how V8 compiled the timed code
  agreeUnderPressure(ss, sids, ruleClasses, compute, rng);
  if (sink === -1) console.log(sink);

  const rows: EngineBenchRow[] = bench.tasks.map((task) => {
    const res = task.result as { latency?: { p50: number; samplesCount?: number }; latencySamples?: number };
    const perSample = task.name.includes('miss') ? MISS_N : HIT_N;
    const p50 = res.latency?.p50 ?? Number.NaN;
    return { name: task.name, nsPerCheck: (p50 * 1e6) / perSample, checksPerSample: perSample, samples: task.runs };
  });
  const ns = (prefix: string): number => rows.find((x) => x.name.startsWith(prefix))!.nsPerCheck;
  return {
    policy: name,
    rows,
    ratios: {
      hitSingle: ns('plain TS hit, typed-array cache, single') / ns('wasm hit, single call (raw'),
      hitBatch: ns('plain TS hit, typed-array cache, batch') / ns('wasm hit, batch (runBatch'),
      miss: ns('plain TS miss') / ns('wasm miss'),
    },
  };
}

/**
 * Equivalence check of the plain-TS peer: a tiny AVC (8 slots, threshold 24, reclaim 4) in Wasm and
 * in TS, driven through the same random checks (many misses and reclaims), in enforcing and then in
 * permissive mode (grant-once updates), must give the same answers and the same stats.
 */
function agreeUnderPressure(ss: ReturnType<typeof createSecurityServer>, sids: number[], classes: number[], compute: ComputeFn, rng: Rng): void {
  const geometry = { slots: 8, threshold: 24, reclaim: 4 };
  const wasm = WasmEngine.create(ss.exportImage(), ss.exportSidTable(), geometry);
  wasm.reset(ss.seqno);
  const peer = new TypedAvc(compute, geometry.slots, geometry.threshold, geometry.reclaim);
  peer.reset(ss.seqno);
  for (const enforcing of [true, false]) {
    wasm.setEnforcing(enforcing);
    peer.enforcing = enforcing;
    for (let i = 0; i < 4000; i++) {
      const ssid = rng.pick(sids), tsid = rng.pick(sids), tclass = rng.pick(classes);
      const requested = (1 << rng.int(0, 3)) >>> 0; // a request of 0 is an argument error on the single path
      const w = wasm.hasPermNoAudit(ssid, tsid, tclass, requested) ? 1 : 0;
      if (w !== peer.hasPerm(ssid, tsid, tclass, requested)) throw new Error(`bench: typed-array peer disagrees with the Wasm AVC at step ${i}`);
    }
    sameStats(enforcing ? 'pressure (enforcing)' : 'pressure (permissive)', wasm.stats(), peer.stats());
  }
  // the batch paths: Wasm avcCheckBatch vs the peer's batch loop, same random arrays, permissive
  const b = wasm.batch();
  const n = Math.min(b.capacity, 2048);
  const s = new Uint32Array(n), t = new Uint32Array(n), c = new Uint32Array(n), r = new Uint32Array(n), out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = rng.pick(sids);
    t[i] = rng.pick(sids);
    c[i] = rng.pick(classes);
    r[i] = rng.chance(0.02) ? 0 : (1 << rng.int(0, 3)) >>> 0;
  }
  b.ssid.set(s);
  b.tsid.set(t);
  b.tclass.set(c);
  b.requested.set(r);
  wasm.runBatch(n);
  peer.checkBatch(s, t, c, r, out, n);
  for (let i = 0; i < n; i++) if (out[i] !== b.out[i]) throw new Error(`bench: typed-array peer batch disagrees with the Wasm AVC at ${i}`);
  sameStats('pressure (batch)', wasm.stats(), peer.stats());
}

function sameStats(what: string, a: object, b: object): void {
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`bench: ${what}: Wasm AVC stats ${JSON.stringify(a)} != typed-array peer ${JSON.stringify(b)}`);
}

if (isMainModule(import.meta.url)) {
  const report = await runEngineBench({ time: Number(flagValue('--time') ?? 1000) });
  if (hasFlag('--json')) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`policy: ${report.policy}`);
    for (const row of report.rows) console.log(`${row.name.padEnd(62)} ${row.nsPerCheck.toFixed(2).padStart(9)} ns/check  (${row.samples} samples x ${row.checksPerSample})`);
    console.log(`ratio plain-TS typed-array peer / wasm: hit single ${report.ratios.hitSingle.toFixed(2)}x, hit batch ${report.ratios.hitBatch.toFixed(2)}x, miss ${report.ratios.miss.toFixed(2)}x`);
  }
}
