/**
 * The closed-loop workload of one chunk, run inside a worker: replay the lane's pre-generated
 * operation ring (ring.ts) through the engine, one batch per Wasm call, and judge every answer.
 *
 * Per batch the JS work is O(1) calls plus one memory-speed pass: a memcmp of the answers against
 * the page's reference answers. The ring's engine arguments are resident in the engine's memory
 * (ring-port.ts), so a batch is checked in place by ring position.
 *
 * Judging (see layout.ts `WANT_*`, ring.ts `WANT_OWN`): own-image answers must equal the security
 * server's expectation; sensitive cross-boundary operations must be denied; anything else is an
 * anomaly and is itemised.
 *
 * Page references (exact, not sampled): the ring is cut into pages of one batch. The first time a
 * page is answered under a given (policy generation, boolean generation) its operations are judged
 * one by one, and — when no anomaly was found — its answer bytes and its tally (sparse decision and
 * heatmap counters) are kept as the page's reference. A later batch over the same page under the
 * same generations whose answer bytes are byte-for-byte equal to the reference (memcmp) has, by
 * construction, exactly the reference's judgement and counters: it is counted as one more replay of
 * the page, and replays × page tally is added at the chunk's end. Any difference in a single answer
 * falls back to judging that batch op by op. So every answer is checked, every operation is counted
 * exactly once, and the verdict sees exactly what per-operation judging would see.
 */
import { Buffer } from 'node:buffer';
import { simError } from '../errors.js';
import { type OpCatalog, type SharedWorld, SCOPE_OWN, WANT_ALLOWED, WANT_ANY, WANT_DENIED, heatColumns, variantCount } from './layout.js';
import type { AnomalyKey, ChunkTask, OpSample } from './protocol.js';
import { type OpRing, WANT_OWN } from './ring.js';

/** The engine as the workload sees it: one call per batch over the lane's ring, by position. */
export interface BatchPort {
  /** check ring positions [start, start + n) in order; answer i (1 granted, 0 denied) is for position start + i */
  check(start: number, n: number): Uint8Array;
}

/** Itemised anomaly keys kept per chunk; the rest are counted in `anomaliesDropped`. */
export const ANOMALY_KEYS_PER_CHUNK = 256;
/** Audit samples kept per chunk (at most one per batch, from the chunk's first batches). */
export const SAMPLES_PER_CHUNK = 4;

export interface ChunkTally {
  ops: number;
  batches: number;
  /** batches whose answers equalled their page reference (memcmp) instead of being judged op by op */
  replayedBatches: number;
  counts: Uint32Array;
  heat: Uint32Array;
  heatAnomaly: Uint32Array;
  anomalies: AnomalyKey[];
  anomaliesDropped: number;
  samples: OpSample[];
  batchNs: Float64Array;
  batchOps: Uint16Array;
}

/** Hooks the worker gives the loop: progress after each batch and the crash fault. */
export interface ChunkHooks {
  afterBatch?(batchesDone: number): void;
}

/** Sparse counters of one page: parallel key and count arrays. */
interface SparseTally {
  readonly keys: Uint32Array;
  readonly vals: Uint32Array;
}

/**
 * The page references of one lane's ring in one worker thread. Page p covers ring positions
 * [p·B, (p+1)·B); a reference is valid for the generation stamp it was taken under.
 */
export class PageCache {
  readonly pageSize: number;
  readonly pages: number;
  /** reference answers, ring-indexed */
  readonly refOut: Uint8Array;
  /** generation stamp of each page's reference; NaN = none */
  readonly stamp: Float64Array;
  readonly counts: Array<SparseTally | undefined>;
  readonly heat: Array<SparseTally | undefined>;
  /** ring index of the page's audit sample (first wanted-and-got denial), -1 for none */
  readonly sample: Int32Array;

  constructor(ringLength: number, pageSize: number) {
    if (ringLength % pageSize !== 0) throw simError(`ring length ${ringLength} is not a multiple of the batch size ${pageSize}`);
    this.pageSize = pageSize;
    this.pages = ringLength / pageSize;
    this.refOut = new Uint8Array(ringLength);
    this.stamp = new Float64Array(this.pages).fill(Number.NaN);
    this.counts = new Array<SparseTally | undefined>(this.pages).fill(undefined);
    this.heat = new Array<SparseTally | undefined>(this.pages).fill(undefined);
    this.sample = new Int32Array(this.pages).fill(-1);
  }
}

/** Dense scratch counters with a list of touched keys, turned into a SparseTally per page. */
class Scratch {
  private readonly dense: Uint32Array;
  private readonly touched: Uint32Array;
  private n = 0;
  constructor(size: number, maxTouched: number) {
    this.dense = new Uint32Array(size);
    this.touched = new Uint32Array(maxTouched);
  }
  add(key: number): void {
    if (this.dense[key]!++ === 0) this.touched[this.n++] = key;
  }
  /** the counters as a sparse tally; resets the scratch */
  take(): SparseTally {
    const keys = this.touched.slice(0, this.n);
    const vals = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) {
      vals[i] = this.dense[keys[i]!]!;
      this.dense[keys[i]!] = 0;
    }
    this.n = 0;
    return { keys, vals };
  }
  reset(): void {
    for (let i = 0; i < this.n; i++) this.dense[this.touched[i]!] = 0;
    this.n = 0;
  }
}

export function runChunk(port: BatchPort, world: SharedWorld, catalog: OpCatalog, ring: OpRing, cache: PageCache, task: ChunkTask, hooks: ChunkHooks = {}): ChunkTally {
  const G = world.guests;
  const I = world.imagesPerGuest;
  const H = world.hostObjects;
  const S = world.subjTypes;
  const O = world.objTypes;
  const P = catalog.ops.length;
  const R = ring.length;
  const B = task.batchSize;
  if (B !== cache.pageSize) throw simError(`batch size ${B} differs from the page size ${cache.pageSize} of the lane's page cache`);
  if (task.ringStart % B !== 0 || task.ringStart >= R) throw simError(`chunk ring start ${task.ringStart} is not a page start of a ring of ${R}`);
  const cols = heatColumns(world);
  const totalBatches = Math.ceil(task.ops / B);
  const countsLen = variantCount(world, P) * 2;
  const heatLen = world.bins * cols * 2;

  const tally: ChunkTally = {
    ops: 0,
    batches: 0,
    replayedBatches: 0,
    counts: new Uint32Array(countsLen),
    heat: new Uint32Array(heatLen),
    heatAnomaly: new Uint32Array(world.bins * cols),
    anomalies: [],
    anomaliesDropped: 0,
    samples: [],
    batchNs: new Float64Array(totalBatches),
    batchOps: new Uint16Array(totalBatches),
  };

  const expect = world.expect;
  const expectBase = task.boolGen * G * I;
  const anomalyIndex = new Map<number, AnomalyKey>();
  const scopeStride = S * O * P;
  const objectIds = G * I + H + G;
  const stamp = task.policyGen * 65536 + task.boolGen;
  const replays = new Uint32Array(cache.pages);
  const pageCounts = new Scratch(countsLen, B);
  const pageHeat = new Scratch(heatLen, B);
  const { counts, heat, heatAnomaly } = tally;
  const { variant, cell, want, attacker, target, requested } = ring;

  let ri = task.ringStart;
  for (let b = 0; b < totalBatches; b++) {
    const n = Math.min(B, task.ops - b * B);
    const end = ri + n;
    // ---- check: one engine call per batch
    const t0 = performance.now();
    const out = port.check(ri, n);
    const t1 = performance.now();
    tally.batchNs[b] = (t1 - t0) * 1e6;
    tally.batchOps[b] = n;
    // ---- judge
    const page = ri / B;
    if (n === B && cache.stamp[page] === stamp && Buffer.compare(out, cache.refOut.subarray(ri, end)) === 0) {
      // same answers as the page reference: same judgement, same counters
      replays[page]!++;
      tally.replayedBatches++;
      const s = cache.sample[page]!;
      if (s >= 0 && tally.samples.length === b && b < SAMPLES_PER_CHUNK) {
        tally.samples.push({ guest: attacker[s]!, object: target[s]!, op: variant[s]! % P, result: 0 });
      }
    } else {
      const keep = n === B;
      let anomalies = 0;
      let sample = -1;
      for (let i = 0; i < n; i++) {
        const k = ri + i;
        const res = out[i]!;
        const v = variant[k]!;
        const c = cell[k]!;
        counts[v * 2 + res]!++;
        heat[c * 2 + res]!++;
        if (keep) {
          pageCounts.add(v * 2 + res);
          pageHeat.add(c * 2 + res);
        }
        let w = want[k]!;
        if (w === WANT_OWN) {
          const mask = requested[k]!;
          w = (expect[expectBase + target[k]!]! & mask) === mask ? WANT_ALLOWED : WANT_DENIED;
        }
        if (w !== WANT_ANY && w !== res) {
          anomalies++;
          heatAnomaly[c]!++;
          const scope = Math.floor(v / scopeStride);
          recordAnomaly(tally, anomalyIndex, scope === SCOPE_OWN ? 'mismatch' : 'breach', attacker[k]!, target[k]!, v % P, res, objectIds, P);
        }
        if (res === 0 && w === WANT_DENIED) {
          if (sample < 0) sample = k;
          if (tally.samples.length === b && b < SAMPLES_PER_CHUNK) {
            tally.samples.push({ guest: attacker[k]!, object: target[k]!, op: v % P, result: res });
          }
        }
      }
      if (keep && anomalies === 0) {
        // a clean full page becomes (or replaces) the reference for this generation stamp
        cache.refOut.set(out, ri);
        cache.counts[page] = pageCounts.take();
        cache.heat[page] = pageHeat.take();
        cache.sample[page] = sample;
        cache.stamp[page] = stamp;
      } else {
        // pages with anomalies are never cached: every batch over them is judged op by op
        pageCounts.reset();
        pageHeat.reset();
        if (keep) cache.stamp[page] = Number.NaN;
      }
    }
    ri = end === R ? 0 : end;
    tally.ops += n;
    tally.batches = b + 1;
    hooks.afterBatch?.(b + 1);
  }
  // ---- replays × page tallies
  for (let p = 0; p < cache.pages; p++) {
    const m = replays[p]!;
    if (m === 0) continue;
    addSparse(counts, cache.counts[p]!, m);
    addSparse(heat, cache.heat[p]!, m);
  }
  return tally;
}

function addSparse(into: Uint32Array, t: SparseTally, times: number): void {
  const { keys, vals } = t;
  for (let i = 0; i < keys.length; i++) into[keys[i]!]! += vals[i]! * times;
}

function recordAnomaly(
  tally: ChunkTally,
  index: Map<number, AnomalyKey>,
  kind: AnomalyKey['kind'],
  guest: number,
  object: number,
  op: number,
  result: number,
  objectIds: number,
  ops: number,
): void {
  // exact as a double while G · objectIds · ops < 2^53 (10^5 guests × 4·10^5 ids × 32 ops ≈ 2^40)
  const key = (guest * objectIds + object) * ops + op;
  const found = index.get(key);
  if (found) {
    found.count++;
    return;
  }
  if (index.size >= ANOMALY_KEYS_PER_CHUNK) {
    tally.anomaliesDropped++;
    return;
  }
  const entry: AnomalyKey = { kind, guest, object, op, result, count: 1 };
  index.set(key, entry);
  tally.anomalies.push(entry);
}
