/**
 * Merging per-chunk results into run metrics, like the kernel's per-CPU AVC statistics summed for
 * `cache_stats`: every worker thread keeps its own counters and hdr histograms; the run's totals are
 * their sums, computed at the end.
 *
 * Units: latencies in nanoseconds (per check call = per batch, and per operation = batch time / n,
 * recorded n times); time stamps in ms since the epoch; throughput in operations per second.
 */
import hdr from 'hdr-histogram-js';
import type { AvcStats } from '../types.js';
import type { AnomalyKey, ChunkResult, OpSample } from './protocol.js';

type Histogram = ReturnType<typeof hdr.build>;

/** Highest latency tracked: 60 s in ns (larger values are clamped). */
const MAX_NS = 60e9;

function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_NS, numberOfSignificantValueDigits: 3, autoResize: false });
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

function summarize(h: Histogram): LatencySummary {
  return {
    count: h.totalCount,
    p50: h.getValueAtPercentile(50),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    mean: Number.isFinite(h.mean) ? h.mean : 0,
  };
}

/** Chunk spans of one worker thread: the raw material of throughput-over-time. */
export interface ChunkSpan {
  readonly startMs: number;
  readonly endMs: number;
  readonly ops: number;
}

export interface ThreadMetrics {
  readonly threadId: number;
  ops: number;
  batches: number;
  chunks: number;
  /** ms spent inside chunks */
  busyMs: number;
  /** ms spent inside engine calls (sum of batch times): busyMs − engineMs is the workload's own JS */
  engineMs: number;
  readonly spans: ChunkSpan[];
  /** chunks run per lane (lane → chunks): a worker owns its lane; others only when helping at the end of an --ops run */
  readonly laneChunks: Map<number, number>;
  readonly batchHist: Histogram;
  readonly opHist: Histogram;
  readonly avc: AvcStats;
  /** policy seqnos seen, in completion order */
  readonly seqnos: number[];
}

export interface AckEvent {
  readonly threadId: number;
  readonly generation: number;
  readonly seqno: number;
  readonly atMs: number;
}

/** A chunk lost with its worker thread (fault worker-crash or a real crash). */
export interface LostChunk {
  readonly lane: number;
  readonly chunk: number;
  /** batches the dead thread had executed (unreported; never counted): 0 for a chunk still queued on it, all of them for a finished chunk whose result died with the thread */
  readonly batchesExecuted: number;
  /** operations of those batches */
  readonly opsExecuted: number;
  /** the chunk was run again on a live or respawned thread */
  readonly retried: boolean;
  readonly error: string;
}

/** Itemised anomalies kept for the verdict (beyond this, only counted). */
export const MAX_ANOMALY_KEYS = 20_000;
export const MAX_SAMPLES = 24;

export class RunMetrics {
  readonly counts: Float64Array;
  readonly heat: Float64Array;
  readonly heatAnomaly: Float64Array;
  readonly threads = new Map<number, ThreadMetrics>();
  readonly anomalies = new Map<string, AnomalyKey>();
  anomaliesDropped = 0;
  readonly samples: OpSample[] = [];
  readonly acks: AckEvent[] = [];
  readonly lost: LostChunk[] = [];
  /** answers from a policy older than the thread had acknowledged (must stay empty) */
  readonly staleAnswers: Array<{ threadId: number; lane: number; chunk: number; seqno: number; ackedSeqno: number }> = [];
  ops = 0;
  batches = 0;
  /** batches verified by memcmp against their page reference (workload.ts) */
  replayedBatches = 0;
  chunks = 0;
  firstStartMs = Number.POSITIVE_INFINITY;
  lastEndMs = 0;
  private readonly ackedSeqno = new Map<number, number>();

  constructor(countsLen: number, heatCells: number) {
    this.counts = new Float64Array(countsLen);
    this.heat = new Float64Array(heatCells * 2);
    this.heatAnomaly = new Float64Array(heatCells);
  }

  private thread(threadId: number): ThreadMetrics {
    let t = this.threads.get(threadId);
    if (!t) {
      t = {
        threadId,
        ops: 0,
        batches: 0,
        chunks: 0,
        busyMs: 0,
        engineMs: 0,
        spans: [],
        laneChunks: new Map(),
        batchHist: newHistogram(),
        opHist: newHistogram(),
        avc: { lookups: 0, hits: 0, misses: 0, allocations: 0, reclaims: 0, frees: 0, activeNodes: 0 },
        seqnos: [],
      };
      this.threads.set(threadId, t);
    }
    return t;
  }

  /** Fold one successful chunk in. Every operation is counted exactly once, here. */
  add(r: ChunkResult): void {
    const t = this.thread(r.threadId);
    if (r.acked) {
      this.acks.push({ threadId: r.threadId, ...r.acked });
      this.ackedSeqno.set(r.threadId, Math.max(this.ackedSeqno.get(r.threadId) ?? 0, r.acked.seqno));
    }
    const acked = this.ackedSeqno.get(r.threadId);
    if (acked !== undefined && r.seqno < acked) {
      this.staleAnswers.push({ threadId: r.threadId, lane: r.lane, chunk: r.chunk, seqno: r.seqno, ackedSeqno: acked });
    }
    for (let i = 0; i < r.counts.length; i++) this.counts[i]! += r.counts[i]!;
    for (let i = 0; i < r.heat.length; i++) this.heat[i]! += r.heat[i]!;
    for (let i = 0; i < r.heatAnomaly.length; i++) this.heatAnomaly[i]! += r.heatAnomaly[i]!;
    for (const a of r.anomalies) {
      const key = `${a.kind}:${a.guest}:${a.object}:${a.op}`;
      const found = this.anomalies.get(key);
      if (found) found.count += a.count;
      else if (this.anomalies.size < MAX_ANOMALY_KEYS) this.anomalies.set(key, { ...a });
      else this.anomaliesDropped += a.count;
    }
    this.anomaliesDropped += r.anomaliesDropped;
    for (const s of r.samples) if (this.samples.length < MAX_SAMPLES) this.samples.push(s);
    for (let b = 0; b < r.batchNs.length; b++) {
      const ns = Math.min(MAX_NS, Math.max(1, Math.round(r.batchNs[b]!)));
      const n = r.batchOps[b]!;
      if (n === 0) continue;
      t.engineMs += r.batchNs[b]! / 1e6;
      t.batchHist.recordValue(ns);
      t.opHist.recordValueWithCount(Math.min(MAX_NS, Math.max(1, Math.round(ns / n))), n);
    }
    t.ops += r.ops;
    t.batches += r.batches;
    t.chunks++;
    t.laneChunks.set(r.lane, (t.laneChunks.get(r.lane) ?? 0) + 1);
    t.busyMs += r.endMs - r.startMs;
    t.spans.push({ startMs: r.startMs, endMs: r.endMs, ops: r.ops });
    t.seqnos.push(r.seqno);
    for (const k of ['lookups', 'hits', 'misses', 'allocations', 'reclaims', 'frees'] as const) t.avc[k] += r.avc[k];
    t.avc.activeNodes = r.avc.activeNodes;
    this.ops += r.ops;
    this.batches += r.batches;
    this.replayedBatches += r.replayedBatches;
    this.chunks++;
    this.firstStartMs = Math.min(this.firstStartMs, r.startMs);
    this.lastEndMs = Math.max(this.lastEndMs, r.endMs);
  }

  /** Latency over all threads: the per-thread histograms merged (hdr `add`). */
  latency(): { batch: LatencySummary; op: LatencySummary; opHistogram: Array<{ ns: number; count: number }> } {
    const batch = newHistogram();
    const op = newHistogram();
    for (const t of this.threads.values()) {
      batch.add(t.batchHist);
      op.add(t.opHist);
    }
    return { batch: summarize(batch), op: summarize(op), opHistogram: logBuckets(op) };
  }

  threadLatency(t: ThreadMetrics): { batch: LatencySummary; op: LatencySummary } {
    return { batch: summarize(t.batchHist), op: summarize(t.opHist) };
  }

  avcTotals(): AvcStats {
    const sum: AvcStats = { lookups: 0, hits: 0, misses: 0, allocations: 0, reclaims: 0, frees: 0, activeNodes: 0 };
    for (const t of this.threads.values()) {
      for (const k of ['lookups', 'hits', 'misses', 'allocations', 'reclaims', 'frees', 'activeNodes'] as const) sum[k] += t.avc[k];
    }
    return sum;
  }

  /**
   * Throughput over time per thread: ops per bucket of `bucketMs`, each chunk's ops spread evenly
   * over its span. Times relative to the run's first chunk start.
   */
  throughputSeries(bucketMs: number): { bucketMs: number; threads: Array<{ threadId: number; opsPerSec: number[] }> } {
    const start = this.firstStartMs;
    const buckets = Math.max(1, Math.ceil((this.lastEndMs - start) / bucketMs));
    const threads = [...this.threads.values()].map((t) => {
      const ops = new Float64Array(buckets);
      for (const s of t.spans) {
        const a = s.startMs - start;
        const b = Math.max(s.endMs - start, a + 1e-6);
        const rate = s.ops / (b - a);
        for (let k = Math.floor(a / bucketMs); k <= Math.min(buckets - 1, Math.floor(b / bucketMs)); k++) {
          const lo = Math.max(a, k * bucketMs);
          const hi = Math.min(b, (k + 1) * bucketMs);
          if (hi > lo) ops[k]! += rate * (hi - lo);
        }
      }
      return { threadId: t.threadId, opsPerSec: Array.from(ops, (o) => Math.round((o * 1000) / bucketMs)) };
    });
    return { bucketMs, threads };
  }
}

/** Histogram as log2 buckets [2^k, 2^(k+1)) ns → count, for the report chart. */
function logBuckets(h: Histogram): Array<{ ns: number; count: number }> {
  const out: Array<{ ns: number; count: number }> = [];
  if (h.totalCount === 0) return out;
  const top = Math.ceil(Math.log2(Math.max(2, h.maxValue + 1)));
  let prev = 0;
  for (let k = 0; k <= top; k++) {
    const upper = 2 ** (k + 1) - 1;
    const below = countAtOrBelow(h, upper);
    out.push({ ns: 2 ** k, count: below - prev });
    prev = below;
  }
  return out;
}

function countAtOrBelow(h: Histogram, value: number): number {
  // hdr-histogram-js exposes percentiles, not a cumulative count: binary-search the percentile
  if (value >= h.maxValue) return h.totalCount;
  if (value < h.minNonZeroValue) return 0;
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (h.getValueAtPercentile(mid) <= value) lo = mid;
    else hi = mid;
  }
  return Math.round((lo / 100) * h.totalCount);
}
