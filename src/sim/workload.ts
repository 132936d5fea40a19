/**
 * The closed-loop workload of one chunk, run inside a worker: generate a batch of operations from
 * the chunk's seeded stream, check it with one engine call, tally the answers, repeat.
 *
 * Operation mix (per operation, from 16-bit draws):
 *   host   (sel < hostBelow):   a host object (e.g. /etc/shadow, a file in /home), a file operation
 *   other  (sel < attackBelow): another guest, uniformly over ALL guests: its process (signal, ptrace)
 *                               with probability processBelow/256, else one of its images
 *   own    (otherwise):         one of the guest's own images, an operation of the image's class
 * The guest making the operation is uniform over the lane's slice.
 *
 * Judging (see layout.ts `WANT_*`): own-image answers must equal the security server's expectation;
 * sensitive cross-boundary operations must be denied; anything else is an anomaly and is itemised.
 */
import {
  type OpCatalog,
  type SharedWorld,
  SCOPE_HOST,
  SCOPE_OTHER,
  SCOPE_OWN,
  WANT_ALLOWED,
  WANT_ANY,
  WANT_DENIED,
  heatColumns,
  variantCount,
} from './layout.js';
import { Sfc32, streamKey } from './prng.js';
import type { AnomalyKey, ChunkTask, OpSample } from './protocol.js';

/** The engine as the workload sees it: request views, one call per batch, an answer view. */
export interface BatchPort {
  /** most checks one call can take */
  readonly capacity: number;
  readonly ssid: Uint32Array;
  readonly tsid: Uint32Array;
  readonly tclass: Uint32Array;
  readonly requested: Uint32Array;
  /** out[i] = 1 granted, 0 denied, after `run` */
  readonly out: Uint8Array;
  run(n: number): void;
}

/** Itemised anomaly keys kept per chunk; the rest are counted in `anomaliesDropped`. */
export const ANOMALY_KEYS_PER_CHUNK = 256;
/** Audit samples kept per chunk. */
export const SAMPLES_PER_CHUNK = 4;

export interface ChunkTally {
  ops: number;
  batches: number;
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

export function runChunk(port: BatchPort, world: SharedWorld, catalog: OpCatalog, task: ChunkTask, hooks: ChunkHooks = {}): ChunkTally {
  const G = world.guests;
  const I = world.imagesPerGuest;
  const H = world.hostObjects;
  const S = world.subjTypes;
  const O = world.objTypes;
  const P = catalog.ops.length;
  const cols = heatColumns(world);
  const batchSize = Math.min(task.batchSize, port.capacity);
  const totalBatches = Math.ceil(task.ops / batchSize);

  const tally: ChunkTally = {
    ops: 0,
    batches: 0,
    counts: new Uint32Array(variantCount(world, P) * 2),
    heat: new Uint32Array(world.bins * cols * 2),
    heatAnomaly: new Uint32Array(world.bins * cols),
    anomalies: [],
    anomaliesDropped: 0,
    samples: [],
    batchNs: new Float64Array(totalBatches),
    batchOps: new Uint16Array(totalBatches),
  };

  // per-op metadata kept on the JS side between generation and tally
  const variant = new Uint16Array(batchSize);
  const want = new Uint8Array(batchSize);
  const cell = new Uint32Array(batchSize);
  const attacker = new Uint32Array(batchSize);
  const target = new Uint32Array(batchSize);

  const { ssid, tsid, tclass, requested, out } = port;
  const { guestSid, guestSubjT, guestObjT, guestBin, imageSid, imageCls, imageObjT, hostSid, hostCls, hostObjT } = world;
  const expect = world.expect;
  const expectBase = task.boolGen * G * I;
  const classValue = Uint32Array.from(catalog.classes, (c) => c.value);
  const opCls = Uint8Array.from(catalog.ops, (o) => o.cls);
  const opMask = Uint32Array.from(catalog.ops, (o) => o.mask);
  const opSensitive = Uint8Array.from(catalog.ops, (o) => (o.sensitive ? 1 : 0));
  const opsByClass = catalog.opsByClass.map((l) => Uint8Array.from(l));
  const processOps = Uint8Array.from(catalog.processOps);
  const processCls = processOps.length > 0 ? opCls[processOps[0]!]! : 0;
  const anomalyIndex = new Map<number, AnomalyKey>();
  const scopeStride = S * O * P;
  const objectIds = G * I + H + G;

  const rng = new Sfc32(streamKey(task.seed, task.lane, task.chunk));
  const { sliceStart, sliceLen, hostBelow, attackBelow, processBelow } = task;
  const counts = tally.counts;
  const heat = tally.heat;

  for (let b = 0; b < totalBatches; b++) {
    const n = Math.min(batchSize, task.ops - b * batchSize);
    // ---- generate
    for (let i = 0; i < n; i++) {
      const g = sliceStart + rng.below(sliceLen);
      // one 32-bit draw decides the rest: bits 0-15 scope, 16-23 image/object, 24-31 operation
      // (8-bit multiply-high picks: frequency bias below len/256, irrelevant for a workload mix)
      const r = rng.next();
      const sel = r & 0xffff;
      const b2 = (r >>> 16) & 0xff;
      const b3 = r >>> 24;
      const subjT = guestSubjT[g]!;
      ssid[i] = guestSid[g]!;
      attacker[i] = g;
      if (sel >= attackBelow || (sel >= hostBelow && G < 2)) {
        // own image
        const img = g * I + ((b2 * I) >>> 8);
        const ops = opsByClass[imageCls[img]!]!;
        const op = ops[(b3 * ops.length) >>> 8]!;
        const mask = opMask[op]!;
        tsid[i] = imageSid[img]!;
        tclass[i] = classValue[opCls[op]!]!;
        requested[i] = mask;
        want[i] = (expect[expectBase + img]! & mask) === mask ? WANT_ALLOWED : WANT_DENIED;
        variant[i] = ((SCOPE_OWN * S + subjT) * O + imageObjT[img]!) * P + op;
        cell[i] = guestBin[g]! * cols + guestBin[g]!;
        target[i] = img;
      } else if (sel >= hostBelow) {
        // another guest, uniform over all guests but g
        const r2 = rng.next();
        let h = Math.floor(((r2 >>> 8) * (G - 1)) / 16777216);
        if (h >= g) h++;
        if ((r2 & 0xff) < processBelow && processOps.length > 0) {
          const op = processOps[(b3 * processOps.length) >>> 8]!;
          tsid[i] = guestSid[h]!;
          tclass[i] = classValue[processCls]!;
          requested[i] = opMask[op]!;
          want[i] = opSensitive[op] === 1 ? WANT_DENIED : WANT_ANY;
          variant[i] = ((SCOPE_OTHER * S + subjT) * O + guestObjT[h]!) * P + op;
          target[i] = G * I + H + h;
        } else {
          const img = h * I + ((b2 * I) >>> 8);
          const ops = opsByClass[imageCls[img]!]!;
          const op = ops[(b3 * ops.length) >>> 8]!;
          tsid[i] = imageSid[img]!;
          tclass[i] = classValue[opCls[op]!]!;
          requested[i] = opMask[op]!;
          want[i] = opSensitive[op] === 1 ? WANT_DENIED : WANT_ANY;
          variant[i] = ((SCOPE_OTHER * S + subjT) * O + imageObjT[img]!) * P + op;
          target[i] = img;
        }
        cell[i] = guestBin[g]! * cols + guestBin[h]!;
      } else {
        // host object
        const x = (b2 * H) >>> 8;
        const ops = opsByClass[hostCls[x]!]!;
        const op = ops[(b3 * ops.length) >>> 8]!;
        tsid[i] = hostSid[x]!;
        tclass[i] = classValue[opCls[op]!]!;
        requested[i] = opMask[op]!;
        want[i] = opSensitive[op] === 1 ? WANT_DENIED : WANT_ANY;
        variant[i] = ((SCOPE_HOST * S + subjT) * O + hostObjT[x]!) * P + op;
        cell[i] = guestBin[g]! * cols + world.bins + x;
        target[i] = G * I + x;
      }
    }
    // ---- check: one engine call per batch
    const t0 = performance.now();
    port.run(n);
    const t1 = performance.now();
    tally.batchNs[b] = (t1 - t0) * 1e6;
    tally.batchOps[b] = n;
    // ---- tally
    for (let i = 0; i < n; i++) {
      const res = out[i]!;
      counts[variant[i]! * 2 + res]!++;
      heat[cell[i]! * 2 + res]!++;
      const w = want[i]!;
      if (w !== WANT_ANY && w !== res) {
        tally.heatAnomaly[cell[i]!]!++;
        const scope = Math.floor(variant[i]! / scopeStride);
        recordAnomaly(tally, anomalyIndex, scope === SCOPE_OWN ? 'mismatch' : 'breach', attacker[i]!, target[i]!, variant[i]! % P, res, objectIds, P);
      }
      if (res === 0 && w === WANT_DENIED && tally.samples.length === b && b < SAMPLES_PER_CHUNK) {
        tally.samples.push({ guest: attacker[i]!, object: target[i]!, op: variant[i]! % P, result: res });
      }
    }
    tally.ops += n;
    tally.batches = b + 1;
    hooks.afterBatch?.(b + 1);
  }
  return tally;
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
