/**
 * The AVC batch path as its working set grows (tinybench 6): K distinct (guest, image, class) keys
 * of the embedded policy, checked in random order through a resident region in a 16,384-slot AVC
 * (the simulator's geometry), under each bucket hash. Every key is cached before timing, so every
 * check is a hit; what grows with K is the memory the hits touch (bucket heads and nodes) and, for
 * the XOR hash, the chains: SIDs of one host are small, dense numbers, which K avc_hash
 * (ssid ^ tsid << 2 ^ tclass << 4) folds into a few buckets — the reason v6.19 moved to av_hash.
 *
 * One sample = one pass over the region (32,768 checks). Figures: median ns per check, and the
 * hash_stats line after the run.
 *
 * Run: npx tsx bench/avc-working-set.bench.ts [--time ms] [--json]
 */
import { Bench } from 'tinybench';
import { loadEmbeddedPolicy } from '../src/policy/load.js';
import { createSecurityServer } from '../src/security/server.js';
import { Sfc32 } from '../src/sim/prng.js';
import type { AvcHash } from '../src/types.js';
import { WasmEngine } from '../src/wasm/engine.js';
import { flagValue, hasFlag } from './script.js';

const REGION = 32_768;
const BATCH = 4096;
const SLOTS = 16_384;
const GUESTS = 256;
const SIZES = [64, 1024, 4096, 8192, 16_384];

const server = createSecurityServer(loadEmbeddedPolicy());
const guest = Array.from({ length: GUESTS }, (_, g) => server.contextToSid(`system_u:system_r:svirt_t:s0:c${g},c${g + 512}`));
// a guest's images share its label, so one image SID per guest
const image = Array.from({ length: GUESTS }, (_, g) => server.contextToSid(`system_u:object_r:svirt_image_t:s0:c${g},c${g + 512}`));
const classes = [server.classValue('file'), server.classValue('blk_file')];
const requested = classes.map((c) => server.permMask(c, ['read']));
const imageBlob = server.exportImage();
const sidBlob = server.exportSidTable();

/** An engine whose region holds REGION checks over `k` distinct keys (each key at least once), all cached. */
function setup(hash: AvcHash, k: number): { engine: WasmEngine; pass: () => void } {
  const rng = new Sfc32(k);
  const keys: Array<[number, number, number]> = [];
  const seen = new Set<number>();
  while (keys.length < k) {
    const g = rng.below(GUESTS);
    const i = rng.below(GUESTS);
    const c = rng.below(2);
    const id = (g * GUESTS + i) * 2 + c;
    if (seen.has(id)) continue;
    seen.add(id);
    keys.push([guest[g]!, image[i]!, c]);
  }
  const engine = WasmEngine.create(imageBlob, sidBlob, { slots: SLOTS, threshold: SLOTS, hash });
  const region = engine.createRegion(REGION);
  const v = region.views();
  for (let j = 0; j < REGION; j++) {
    const [s, t, c] = keys[j < k ? j : rng.below(k)]!;
    v.ssid[j] = s;
    v.tsid[j] = t;
    v.tclass[j] = classes[c]!;
    v.requested[j] = requested[c]!;
  }
  const pass = (): void => {
    for (let at = 0; at < REGION; at += BATCH) region.run(at, BATCH);
  };
  pass(); // every key cached
  return { engine, pass };
}

const time = Number(flagValue('--time') ?? 300);
const bench = new Bench({ time, warmupTime: 100 });
const hashStats = new Map<string, string>();
for (const hash of ['xor', 'murmur'] as const) {
  for (const k of SIZES) {
    const { engine, pass } = setup(hash, k);
    const name = `${hash} K=${k}`;
    bench.add(name, pass);
    hashStats.set(name, engine.hashStats().replace(/\n/g, ', ').replace(/, $/, ''));
  }
}
await bench.run();

const rows = bench.tasks.map((t) => {
  const median = (t.result as { latency?: { p50: number } } | undefined)?.latency?.p50 ?? Number.NaN; // ms per sample
  return { name: t.name, nsPerCheck: (median * 1e6) / REGION, hashStats: hashStats.get(t.name)! };
});
if (hasFlag('--json')) console.log(JSON.stringify(rows, null, 2));
else for (const r of rows) console.log(`${r.name.padEnd(14)} ${r.nsPerCheck.toFixed(2).padStart(7)} ns/check   ${r.hashStats}`);
