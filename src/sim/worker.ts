/**
 * The piscina worker: one Wasm instance + AVC per thread (WasmEngine), built from the policy slot
 * named by the first task, and rebuilt in place (`reload`) when a task names a newer generation.
 * It runs simulation chunks (workload.ts) and checkMany slices.
 *
 * Runs from compiled JS only: dist/src/sim/worker.js (see pool.ts).
 */
import { threadId, workerData as rawWorkerData } from 'node:worker_threads';
import { simError } from '../errors.js';
import type { AvcStats } from '../types.js';
import { WasmEngine } from '../wasm/engine.js';
import {
  SLOT_HEADER_INTS,
  type CheckResult,
  type CheckTask,
  type ChunkResult,
  type ChunkTask,
  type EngineResult,
  type EngineTask,
  type PoolTask,
  type PoolWorkerData,
} from './protocol.js';
import { buildRing, type OpRing } from './ring.js';
import { regionPort, residentRing } from './ring-port.js';
import { PageCache, runChunk } from './workload.js';
import type { BatchRegion } from '../wasm/region.js';

const data = rawWorkerData as PoolWorkerData;

/** Capacity of one engine batch (checks per Wasm call). */
const BATCH_CAPACITY = 4096;

let engine: WasmEngine | undefined;
let engineGen = -1;
let engineBoolGen = 0;
/** seqno of the image of the current generation */
let imageSeqno = 0;
/** page references per lane, this thread's own (they hold this engine's answers) */
const pageCaches = new Map<number, PageCache>();
/** each lane's operation ring, generated here when the lane first runs on this thread */
const rings = new Map<number, OpRing>();
/** each lane's ring, resident in this thread's engine memory once the lane first runs here */
const residentRings = new Map<number, BatchRegion>();

function slotBytes(gen: number): { image: Uint8Array; sids: Uint8Array } {
  const h = (gen & 1) * SLOT_HEADER_INTS;
  const stored = Atomics.load(data.policy.header, h);
  if (stored !== gen) throw simError(`policy slot ${gen & 1} holds generation ${stored}, task wants ${gen}`);
  const imageLen = Atomics.load(data.policy.header, h + 1);
  const sidLen = Atomics.load(data.policy.header, h + 2);
  const slot = data.policy.slots[(gen & 1) as 0 | 1];
  // views, not copies (the engine copies into Wasm memory): the pool never rewrites the slot of a
  // generation while a task naming it is in flight (pool.ts publish), and this is such a task
  return { image: slot.subarray(0, imageLen), sids: slot.subarray(imageLen, imageLen + sidLen) };
}

function seqnoOf(image: Uint8Array): number {
  return new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(8, true);
}

/** Bring the engine to (policyGen, boolGen); returns the ack when the policy generation changed. */
function prepare(policyGen: number, boolGen: number): ChunkResult['acked'] {
  let acked: ChunkResult['acked'];
  if (engine === undefined || engineGen !== policyGen) {
    const { image, sids } = slotBytes(policyGen);
    if (engine === undefined) engine = WasmEngine.create(image, sids, data.avc, { batchCapacity: BATCH_CAPACITY });
    else engine.reload(image, sids);
    imageSeqno = seqnoOf(image);
    const first = engineGen < 0;
    engineGen = policyGen;
    engineBoolGen = 0;
    if (!first) acked = { generation: policyGen, seqno: currentSeqno(), atMs: performance.timeOrigin + performance.now() };
  }
  if (boolGen !== engineBoolGen) {
    const states = data.condStates[boolGen];
    if (!states) throw simError(`no condition states for boolean generation ${boolGen}`);
    // K security_set_bools: a boolean commit is a new seqno; stamp image seqno + generation
    engine.setCondStates(states, imageSeqno + boolGen);
    engineBoolGen = boolGen;
  }
  return acked;
}

/** The seqno the Wasm AVC currently accepts (latest_notif), read from the instance itself. */
function currentSeqno(): number {
  return engine === undefined ? 0 : engine.core.avcLatestNotif() >>> 0;
}

function laneRegion(e: WasmEngine, ring: OpRing): BatchRegion {
  let r = residentRings.get(ring.lane);
  if (!r) {
    r = residentRing(e, ring);
    residentRings.set(ring.lane, r);
  }
  return r;
}

function statsDelta(before: AvcStats, after: AvcStats): AvcStats {
  return {
    lookups: after.lookups - before.lookups,
    hits: after.hits - before.hits,
    misses: after.misses - before.misses,
    allocations: after.allocations - before.allocations,
    reclaims: after.reclaims - before.reclaims,
    frees: after.frees - before.frees,
    activeNodes: after.activeNodes,
  };
}

function laneRing(lane: number): OpRing {
  let ring = rings.get(lane);
  if (!ring) {
    const sim = data.sim;
    const plan = sim?.ringPlans[lane];
    if (!sim || !plan) throw simError(`no operation ring plan for lane ${lane} (pool created without a simulation world?)`);
    ring = buildRing(sim.world, sim.catalog, plan);
    rings.set(lane, ring);
  }
  return ring;
}

function pageCache(ring: OpRing, batchSize: number): PageCache {
  let c = pageCaches.get(ring.lane);
  if (!c || c.pageSize !== batchSize) {
    c = new PageCache(ring.length, batchSize);
    pageCaches.set(ring.lane, c);
  }
  return c;
}

function runChunkTask(task: ChunkTask): ChunkResult {
  const sim = data.sim;
  if (!sim) throw simError('this pool was created without a simulation world');
  const ring = laneRing(task.lane);
  const acked = prepare(task.policyGen, task.boolGen);
  const e = engine!;
  const seqno = currentSeqno();
  Atomics.store(sim.taskProgress, task.progressSlot, 0);
  const before = e.stats();
  const startMs = performance.timeOrigin + performance.now();
  const tally = runChunk(regionPort(laneRegion(e, ring)), sim.world, sim.catalog, ring, pageCache(ring, task.batchSize), task, {
    afterBatch: (done) => {
      Atomics.store(sim.taskProgress, task.progressSlot, done);
      if (task.crashAfterBatches !== undefined && done >= task.crashAfterBatches) {
        // fault worker-crash: the thread dies with this chunk unreported (process.exit in a
        // worker thread ends only the thread)
        process.exit(70);
      }
    },
  });
  const endMs = performance.timeOrigin + performance.now();
  const seqnoAfter = currentSeqno();
  if (seqnoAfter !== seqno) throw simError(`policy seqno changed inside a chunk (${seqno} → ${seqnoAfter})`);
  return {
    kind: 'chunk',
    lane: task.lane,
    chunk: task.chunk,
    threadId,
    ...tally,
    startMs,
    endMs,
    seqno,
    policyGen: engineGen,
    ...(acked ? { acked } : {}),
    avc: statsDelta(before, e.stats()),
  };
}

function runCheckTask(task: CheckTask): CheckResult {
  prepare(task.policyGen, task.boolGen);
  const e = engine!;
  const v = e.batch();
  for (let at = task.start; at < task.end; at += v.capacity) {
    const m = Math.min(v.capacity, task.end - at);
    v.ssid.set(task.ssid.subarray(at, at + m));
    v.tsid.set(task.tsid.subarray(at, at + m));
    v.tclass.set(task.tclass.subarray(at, at + m));
    v.requested.set(task.requested.subarray(at, at + m));
    e.runBatch(m);
    task.out.set(v.out.subarray(0, m), at);
  }
  return { kind: 'check', checked: task.end - task.start, seqno: currentSeqno() };
}

function runEngineTask(task: EngineTask): EngineResult {
  const ring = laneRing(task.lane);
  prepare(task.policyGen, task.boolGen);
  const e = engine!;
  const region = laneRegion(e, ring);
  const n = Math.min(task.batchSize, ring.length);
  const pages = task.mode === 'ring' ? Math.floor(ring.length / n) : 1;
  // one pass first: the figure is the steady state (AVC warm)
  for (let p = 0; p < pages; p++) region.run(p * n, n);
  const before = e.stats();
  const startMs = performance.timeOrigin + performance.now();
  for (let b = 0; b < task.batches; b++) region.run((b % pages) * n, n);
  const endMs = performance.timeOrigin + performance.now();
  return { kind: 'engine', threadId, checks: n * task.batches, startMs, endMs, avc: statsDelta(before, e.stats()) };
}

export default function handle(task: PoolTask): ChunkResult | CheckResult | EngineResult {
  if (task.kind === 'chunk') return runChunkTask(task);
  if (task.kind === 'engine') return runEngineTask(task);
  return runCheckTask(task);
}
