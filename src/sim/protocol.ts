/**
 * Messages between the pool (main thread) and its worker threads. Tasks carry numbers only; the
 * policy image, SID table, world and catalogue reach each worker once, through `workerData`.
 */
import type { OpCatalog, SharedWorld } from './layout.js';
import type { RingPlan } from './ring.js';
import type { AvcOptions, AvcStats } from '../types.js';

/**
 * Double-buffered policy slots: generation g lives in slot g & 1. Header (Int32 per slot):
 * [generation, image byte length, SID-table byte length]. The main thread fills a slot before it
 * submits the first task that names that generation; a worker that sees a newer generation in a
 * task loads the slot, and from then on every answer it gives carries the new seqno.
 */
export interface PolicySlots {
  readonly header: Int32Array;
  readonly slots: readonly [Uint8Array, Uint8Array];
}

export const SLOT_HEADER_INTS = 3;

export interface PoolWorkerData {
  readonly policy: PolicySlots;
  readonly avc: AvcOptions;
  /** condition-node results per boolean generation (index = cond node; 1 true, 0 false, -1 malformed) */
  readonly condStates: readonly (readonly number[])[];
  /** simulation world; absent for a pool used only through checkMany */
  readonly sim?: {
    readonly world: SharedWorld;
    readonly catalog: OpCatalog;
    /** per lane: how to generate the lane's operation ring (ring.ts); the worker running the lane builds it */
    readonly ringPlans: readonly RingPlan[];
    /** batches done by the chunk running in each progress slot (ChunkTask.progressSlot; read by the main thread after a crash) */
    readonly taskProgress: Int32Array;
  };
}

/**
 * Chunks of one lane in flight at once (the pool lets each worker hold as many tasks): a worker
 * finishing a chunk finds the next one already in its own queue instead of idling while the main
 * thread merges the result and posts more (~1–2 ms per chunk measured on the 2-core VM).
 */
export const CHUNKS_IN_FLIGHT = 2;

export interface ChunkTask {
  readonly kind: 'chunk';
  readonly lane: number;
  readonly chunk: number;
  /** index into the shared taskProgress array the worker counts this chunk's batches in (lane · CHUNKS_IN_FLIGHT + k) */
  readonly progressSlot: number;
  /** operations in this chunk */
  readonly ops: number;
  /** checks per engine call; divides the ring length (one batch = one page of the ring) */
  readonly batchSize: number;
  /** ring position of the chunk's first operation (a multiple of batchSize) */
  readonly ringStart: number;
  readonly policyGen: number;
  readonly boolGen: number;
  /** fault `worker-crash`: the thread exits after this many batches (first attempt only) */
  readonly crashAfterBatches?: number;
}

/**
 * Benchmark only: the pure engine figure on the simulator's own operation mix, no judging.
 * `page`: page 0 of the lane's resident ring checked `batches` times (the AVC-hit ceiling,
 * smallest working set); `ring`: the ring's pages in turn, checked in place as the simulator does
 * (same working set as the simulator, no judging or counting).
 */
export interface EngineTask {
  readonly kind: 'engine';
  readonly mode: 'page' | 'ring';
  readonly lane: number;
  readonly batches: number;
  readonly batchSize: number;
  readonly policyGen: number;
  readonly boolGen: number;
}

export interface EngineResult {
  readonly kind: 'engine';
  readonly threadId: number;
  readonly checks: number;
  /** wall-clock span of the calls (epoch ms) */
  readonly startMs: number;
  readonly endMs: number;
  readonly avc: AvcStats;
}

/** A sensitive cross-boundary operation that was allowed, or an own-image answer that differs from the expectation. */
export interface AnomalyKey {
  readonly kind: 'breach' | 'mismatch';
  readonly guest: number;
  readonly object: number;
  readonly op: number;
  /** the answer the engine gave (1 allowed) */
  readonly result: number;
  count: number;
}

/** One operation, kept as a sample for kernel-format audit records. */
export interface OpSample {
  readonly guest: number;
  readonly object: number;
  readonly op: number;
  readonly result: number;
}

export interface ChunkResult {
  readonly kind: 'chunk';
  readonly lane: number;
  readonly chunk: number;
  readonly threadId: number;
  readonly ops: number;
  readonly batches: number;
  /** batches whose answers equalled their page reference byte for byte (workload.ts) */
  readonly replayedBatches: number;
  /** variant·2 + result → count */
  readonly counts: Uint32Array;
  /** cell·2 + result → count */
  readonly heat: Uint32Array;
  /** cell → anomalies */
  readonly heatAnomaly: Uint32Array;
  readonly anomalies: AnomalyKey[];
  /** anomalies beyond the per-chunk key cap (counted, not itemised) */
  readonly anomaliesDropped: number;
  readonly samples: OpSample[];
  /** nanoseconds per check call, one entry per batch */
  readonly batchNs: Float64Array;
  /** batch sizes, parallel to batchNs */
  readonly batchOps: Uint16Array;
  /** wall-clock span of the chunk (epoch ms) */
  readonly startMs: number;
  readonly endMs: number;
  /** the engine's policy seqno for every answer in this chunk */
  readonly seqno: number;
  readonly policyGen: number;
  /** set when this chunk made the thread load a new policy generation */
  readonly acked?: { readonly generation: number; readonly seqno: number; readonly atMs: number };
  /** AVC counters accumulated during this chunk */
  readonly avc: AvcStats;
}

/**
 * checkMany slice [start, end) of the caller's queries. The query arrays and `out` are views over
 * SharedArrayBuffers (shared, not copied, by postMessage): the worker reads its slice in place and
 * writes its answers into `out` in place.
 */
export interface CheckTask {
  readonly kind: 'check';
  readonly policyGen: number;
  readonly boolGen: number;
  readonly ssid: Uint32Array;
  readonly tsid: Uint32Array;
  readonly tclass: Uint32Array;
  readonly requested: Uint32Array;
  readonly out: Uint8Array;
  readonly start: number;
  readonly end: number;
}

export interface CheckResult {
  readonly kind: 'check';
  /** answers written to out[start, end) */
  readonly checked: number;
  readonly seqno: number;
}

export type PoolTask = ChunkTask | CheckTask | EngineTask;
export type PoolResult = ChunkResult | CheckResult | EngineResult;
