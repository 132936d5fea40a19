/**
 * Engine benchmark (tinybench 6): the Wasm AVC and security server against plain-TS equivalents,
 * measured in the same run. Every sample performs many checks (4096 for hits, 512 for misses), and
 * figures are medians per check.
 *
 *   hit, single call   Wasm export `hasPerm` in a JS loop (one hot call site), and via the facade
 *   hit, batch         one `checkBatch` call over 4096 requests in Wasm memory views
 *   miss               compute_av bypassing the AVC (Wasm `computeAv`) vs referenceComputeAv
 *   plain TS           a Map-based cache and a typed-array cache with the Wasm AVC's layout
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
import { TypedAvc } from './plain-ts/typed-avc.js';

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

  // plain-TS caches hold the same decisions
  const mapAvc = new MapAvc();
  const typedAvc = new TypedAvc(512, KEYS);
  for (let k = 0; k < KEYS; k++) {
    const allowed = single.computeAv(keyS[k]!, keyT[k]!, keyC[k]!).allowed;
    mapAvc.insert(keyS[k]!, keyT[k]!, keyC[k]!, allowed);
    typedAvc.insert(keyS[k]!, keyT[k]!, keyC[k]!, allowed);
  }
  // warm the Wasm AVCs and check that all five implementations agree
  single.runBatch(0);
  batched.runBatch(HIT_N);
  for (let n = 0; n < HIT_N; n++) {
    const w = hasPerm(s[n]!, t[n]!, c[n]!, r[n]!);
    if (w !== views.out[n] || w !== mapAvc.hasPerm(s[n]!, t[n]!, c[n]!, r[n]!) || w !== typedAvc.hasPerm(s[n]!, t[n]!, c[n]!, r[n]!) || (w === 1) !== ss.hasPermNoAudit(s[n]!, t[n]!, c[n]!, r[n]!)) {
      throw new Error(`bench: implementations disagree at check ${n}`);
    }
  }

  let sink = 0;
  const bench = new Bench({ time: options.time ?? 1000, warmupTime: 200 });
  bench
    .add('wasm hit, single call (raw export)', () => {
      let acc = 0;
      for (let n = 0; n < HIT_N; n++) acc += hasPerm(s[n]!, t[n]!, c[n]!, r[n]!);
      sink += acc;
    })
    .add('wasm hit, single call (SecurityServer.hasPermNoAudit)', () => {
      let acc = 0;
      for (let n = 0; n < HIT_N; n++) acc += ss.hasPermNoAudit(s[n]!, t[n]!, c[n]!, r[n]!) ? 1 : 0;
      sink += acc;
    })
    .add('wasm hit, batch (runBatch over memory views)', () => {
      batched.runBatch(HIT_N);
      sink += views.out[HIT_N - 1]!;
    })
    .add('wasm hit, batch (SecurityServer.checkBatch, copies in/out)', () => {
      ss.checkBatch(s, t, c, r, out);
      sink += out[HIT_N - 1]!;
    })
    .add('plain TS hit, Map cache', () => {
      let acc = 0;
      for (let n = 0; n < HIT_N; n++) acc += mapAvc.hasPerm(s[n]!, t[n]!, c[n]!, r[n]!);
      sink += acc;
    })
    .add('plain TS hit, typed-array cache', () => {
      let acc = 0;
      for (let n = 0; n < HIT_N; n++) acc += typedAvc.hasPerm(s[n]!, t[n]!, c[n]!, r[n]!);
      sink += acc;
    })
    .add('wasm miss, compute_av (no AVC)', () => {
      const compute = single.core.computeAv;
      let acc = 0;
      for (let n = 0; n < MISS_N; n++) acc += compute(s[n]!, t[n]!, c[n]!, r[n]!);
      sink += acc;
    })
    .add('plain TS miss, referenceComputeAv', () => {
      let acc = 0;
      for (let n = 0; n < MISS_N; n++) {
        const [i, j] = keyCtx[n % KEYS]!;
        acc += referenceComputeAv(model, contexts[i]!, contexts[j]!, c[n]!, bools, r[n]!).allowed & 1;
      }
      sink += acc;
    });
  await bench.run();
  if (sink === -1) console.log(sink);

  const rows: EngineBenchRow[] = bench.tasks.map((task) => {
    const res = task.result as { latency?: { p50: number; samplesCount?: number }; latencySamples?: number };
    const perSample = task.name.includes('miss') ? MISS_N : HIT_N;
    const p50 = res.latency?.p50 ?? Number.NaN;
    return { name: task.name, nsPerCheck: (p50 * 1e6) / perSample, checksPerSample: perSample, samples: task.runs };
  });
  const ns = (prefix: string): number => rows.find((x) => x.name.startsWith(prefix))!.nsPerCheck;
  const bestPlainHit = Math.min(ns('plain TS hit, Map'), ns('plain TS hit, typed'));
  return {
    policy: name,
    rows,
    ratios: {
      hitSingle: bestPlainHit / ns('wasm hit, single call (raw'),
      hitBatch: bestPlainHit / ns('wasm hit, batch (runBatch'),
      miss: ns('plain TS miss') / ns('wasm miss'),
    },
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (isMain) {
  const timeArg = process.argv.indexOf('--time');
  const report = await runEngineBench({ time: timeArg > 0 ? Number(process.argv[timeArg + 1]) : 1000 });
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`policy: ${report.policy}`);
    for (const row of report.rows) console.log(`${row.name.padEnd(62)} ${row.nsPerCheck.toFixed(2).padStart(9)} ns/check  (${row.samples} samples x ${row.checksPerSample})`);
    console.log(`ratio plain-TS best / wasm: hit single ${report.ratios.hitSingle.toFixed(2)}x, hit batch ${report.ratios.hitBatch.toFixed(2)}x, miss ${report.ratios.miss.toFixed(2)}x`);
  }
}
