/**
 * The `--json` report: schema version 1, documented in docs/stress-report-schema.md.
 * Every number is a plain JSON number; times in ms, latencies in ns, rates in operations/s.
 */
import { writeFileSync } from 'node:fs';
import { ioError } from '../errors.js';
import { auditRequired, formatAvcRecord } from '../security/audit.js';
import { SCOPES, decodeObject, decodeVariant, heatColumns } from './layout.js';
import type { LatencySummary } from './metrics.js';
import type { StressRun } from './stress.js';
import type { AvcHash } from '../types.js';
import { avcGeometry } from '../wasm/engine.js';
import type { Breach, Mismatch } from './verdict.js';

export const SCHEMA_VERSION = 1;

export interface StressReport {
  schemaVersion: 1;
  tool: 'svirt stress';
  startedAt: string;
  seed: number;
  seeded: boolean;
  config: {
    guests: number;
    imagesPerGuest: number;
    hostObjects: Array<{ path: string; context: string; tclass: string }>;
    workers: number;
    lanes: number;
    durationMs: number | null;
    ops: number | null;
    attackRatio: number;
    batchSize: number;
    chunkOps: number;
    /** operations in each lane's ring (the lane's stream repeats it) */
    ringOps: number[];
    policy: string;
    state: string | null;
    faults: string[];
    avc: { slots: number; threshold: number; reclaim: number; hash: AvcHash };
  };
  verdict: {
    status: 'PASS' | 'FAIL';
    failures: string[];
    breachCount: number;
    breaches: Breach[];
    mismatchCount: number;
    mismatches: Mismatch[];
  };
  totals: {
    ops: number;
    batches: number;
    /** batches whose answers were verified against their page reference by memcmp */
    replayedBatches: number;
    chunks: number;
    elapsedMs: number;
    opsPerSec: number;
    /** ms from the command's start to the pool's start (policy, world, lane plans) */
    setupMs: number;
    /** ops / (last chunk end − first chunk start): all workers, pool start-up excluded */
    steadyOpsPerSec: number;
  };
  workers: Array<{
    threadId: number;
    ops: number;
    batches: number;
    chunks: number;
    /** chunks run per lane, ascending by lane */
    lanes: Array<{ lane: number; chunks: number }>;
    busyMs: number;
    /** ms inside engine calls; engineMs / busyMs = share of the worker's chunk time spent in Wasm */
    engineMs: number;
    opsPerSec: number;
    latencyNs: { batch: LatencySummary; op: LatencySummary };
    avc: { lookups: number; hits: number; misses: number; allocations: number; reclaims: number; frees: number; activeNodes: number };
  }>;
  latencyNs: { batch: LatencySummary; op: LatencySummary; opHistogram: Array<{ ns: number; count: number }> };
  avc: { lookups: number; hits: number; misses: number; allocations: number; reclaims: number; frees: number; hitRate: number };
  decisions: Array<{ scope: 'own' | 'other' | 'host'; tclass: string; allowed: number; denied: number }>;
  operations: Array<{ scope: 'own' | 'other' | 'host'; subjectType: string; objectType: string; tclass: string; perm: string; allowed: number; denied: number }>;
  audit: { records: number; denied: number; granted: number; samples: string[] };
  faults: {
    labels: Array<{ fault: string; detail: string }>;
    policyReload: { generation: number; seqno: number; atChunk: number | null; atMs: number; acks: Array<{ threadId: number; generation: number; seqno: number }>; staleAnswers: number } | null;
    booleanFlip: { name: string; from: boolean; to: boolean; atChunk: number | null; atMs: number } | null;
    lostChunks: Array<{ lane: number; chunk: number; batchesExecuted: number; opsExecuted: number; retried: boolean; error: string }>;
  };
  accounting: { planned: number | null; counted: number; lostBatches: number; lostOps: number; rerunChunks: number };
  throughput: { bucketMs: number; threads: Array<{ threadId: number; opsPerSec: number[] }> };
  heatmap: {
    rows: number;
    cols: number;
    rowLabels: string[];
    colLabels: string[];
    /** row-major: [attempts, allowed, anomalies] per cell */
    cells: Array<[number, number, number]>;
  };
  memory: { peakRssBytes: number };
  stateSkipped: Array<{ name: string; reason: string }>;
}

function guestRange(i0: number, i1: number): string {
  return i1 - i0 <= 1 ? `guest${i0}` : `guest${i0}-${i1 - 1}`;
}

export function buildReport(run: StressRun): StressReport {
  const { world, metrics, server, options } = run;
  const w = world.shared;
  const P = world.catalog.ops.length;
  const S = w.subjTypes;
  const O = w.objTypes;
  // ---- decision tables
  const byScopeClass = new Map<string, { scope: 'own' | 'other' | 'host'; tclass: string; allowed: number; denied: number }>();
  const operations: StressReport['operations'] = [];
  // representative SIDs per type index, for the (TE-only) audit bits
  const subjRep = new Map<number, number>();
  const objRep = new Map<number, number>();
  for (let g = w.guests - 1; g >= 0; g--) {
    subjRep.set(w.guestSubjT[g]!, w.guestSid[g]!);
    objRep.set(w.guestObjT[g]!, w.guestSid[g]!);
  }
  for (let i = w.imageSid.length - 1; i >= 0; i--) objRep.set(w.imageObjT[i]!, w.imageSid[i]!);
  for (let x = 0; x < w.hostObjects; x++) objRep.set(w.hostObjT[x]!, w.hostSid[x]!);
  let auditDenied = 0;
  let auditGranted = 0;
  for (let v = 0; v < metrics.counts.length / 2; v++) {
    const denied = metrics.counts[v * 2]!;
    const allowed = metrics.counts[v * 2 + 1]!;
    if (denied + allowed === 0) continue;
    const d = decodeVariant(v, S, O, P);
    const op = world.catalog.ops[d.op]!;
    const cls = world.catalog.classes[op.cls]!;
    const scope = SCOPES[d.scope]!;
    const key = `${scope}:${cls.name}`;
    const e = byScopeClass.get(key) ?? { scope, tclass: cls.name, allowed: 0, denied: 0 };
    e.allowed += allowed;
    e.denied += denied;
    byScopeClass.set(key, e);
    operations.push({ scope, subjectType: world.subjTypeNames[d.subjT]!, objectType: world.objTypeNames[d.objT]!, tclass: cls.name, perm: op.perm, allowed, denied });
    // audit: auditallow/auditdeny come from type enforcement only (K context_struct_compute_av)
    const avd = server.computeAv(subjRep.get(d.subjT)!, objRep.get(d.objT)!, cls.value);
    if (denied > 0 && auditRequired({ ...avd, allowed: 0 }, op.mask, 'denied')) auditDenied += denied;
    if (allowed > 0 && auditRequired({ ...avd, allowed: op.mask }, op.mask, 'granted')) auditGranted += allowed;
  }
  const samples: string[] = [];
  for (const s of metrics.samples) {
    const op = world.catalog.ops[s.op]!;
    const cls = world.catalog.classes[op.cls]!;
    const guest = world.guests[s.guest]!;
    const obj = decodeObject(s.object, w);
    let tcontext: string;
    let path: string | undefined;
    if (obj.kind === 'image') {
      tcontext = world.guests[obj.guest]!.images[obj.image]!;
      path = world.guests[obj.guest]!.paths[obj.image]!;
    } else if (obj.kind === 'host') {
      tcontext = world.hosts[obj.index]!.context;
      path = world.hosts[obj.index]!.path;
    } else {
      tcontext = world.guests[obj.guest]!.process;
    }
    const avd = server.computeAv(w.guestSid[s.guest]!, server.contextToSid(tcontext), cls.value);
    if (!auditRequired({ ...avd, allowed: s.result ? op.mask : 0 }, op.mask, s.result ? 'granted' : 'denied')) continue;
    samples.push(
      formatAvcRecord({
        denied: s.result === 0,
        perms: [op.perm],
        data: { pid: 10_000 + s.guest, comm: 'qemu-kvm', ...(path !== undefined ? { path, dev: 'dm-0', ino: 1000 + s.object } : {}) },
        scontext: guest.process,
        tcontext,
        tclass: cls.name,
        permissive: false,
      }),
    );
  }
  // ---- heatmap
  const cols = heatColumns(w);
  const rowLabels: string[] = [];
  for (let b = 0; b < w.bins; b++) rowLabels.push(guestRange(Math.ceil((b * w.guests) / w.bins), Math.ceil(((b + 1) * w.guests) / w.bins)));
  const colLabels = [...rowLabels.map((l) => `${l} images`), ...world.hosts.map((h) => h.path)];
  const cells: Array<[number, number, number]> = [];
  for (let c = 0; c < w.bins * cols; c++) {
    cells.push([metrics.heat[c * 2]! + metrics.heat[c * 2 + 1]!, metrics.heat[c * 2 + 1]!, metrics.heatAnomaly[c]!]);
  }
  const avc = metrics.avcTotals();
  const lat = metrics.latency();
  const elapsedMs = run.elapsedMs;
  const lostBatches = metrics.lost.reduce((a, l) => a + l.batchesExecuted, 0);
  const lostOps = metrics.lost.reduce((a, l) => a + l.opsExecuted, 0);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: 'svirt stress',
    startedAt: run.startedAt.toISOString(),
    seed: options.seed,
    seeded: options.seeded,
    config: {
      guests: w.guests,
      imagesPerGuest: w.imagesPerGuest,
      hostObjects: world.hosts.map((h) => ({ path: h.path, context: h.context, tclass: h.cls })),
      workers: options.workers,
      lanes: run.lanes,
      durationMs: options.durationMs ?? null,
      ops: options.ops ?? null,
      attackRatio: options.attackRatio,
      batchSize: options.batchSize,
      chunkOps: run.chunkOps,
      ringOps: run.ringOps,
      policy: options.policy ?? 'embedded',
      state: options.state ?? null,
      faults: [...options.faults],
      avc: avcGeometry(options.avc),
    },
    verdict: {
      status: run.verdict.status,
      failures: run.verdict.failures,
      breachCount: run.verdict.breachCount,
      breaches: run.verdict.breaches,
      mismatchCount: run.verdict.mismatchCount,
      mismatches: run.verdict.mismatches,
    },
    totals: {
      ops: metrics.ops,
      batches: metrics.batches,
      replayedBatches: metrics.replayedBatches,
      chunks: metrics.chunks,
      elapsedMs,
      opsPerSec: elapsedMs > 0 ? Math.round((metrics.ops * 1000) / elapsedMs) : 0,
      setupMs: run.setupMs,
      steadyOpsPerSec: metrics.lastEndMs > metrics.firstStartMs ? Math.round((metrics.ops * 1000) / (metrics.lastEndMs - metrics.firstStartMs)) : 0,
    },
    workers: [...metrics.threads.values()].map((t) => ({
      threadId: t.threadId,
      ops: t.ops,
      batches: t.batches,
      chunks: t.chunks,
      lanes: [...t.laneChunks].sort((a, b) => a[0] - b[0]).map(([lane, chunks]) => ({ lane, chunks })),
      busyMs: t.busyMs,
      engineMs: t.engineMs,
      opsPerSec: t.busyMs > 0 ? Math.round((t.ops * 1000) / t.busyMs) : 0,
      latencyNs: metrics.threadLatency(t),
      avc: { ...t.avc },
    })),
    latencyNs: lat,
    avc: {
      lookups: avc.lookups,
      hits: avc.hits,
      misses: avc.misses,
      allocations: avc.allocations,
      reclaims: avc.reclaims,
      frees: avc.frees,
      hitRate: avc.lookups > 0 ? avc.hits / avc.lookups : 0,
    },
    decisions: [...byScopeClass.values()],
    operations,
    audit: { records: auditDenied + auditGranted, denied: auditDenied, granted: auditGranted, samples },
    faults: {
      labels: run.labelFaults.map((n) => ({ fault: n.fault, detail: n.detail })),
      policyReload: run.policyReload
        ? {
            generation: run.policyReload.generation,
            seqno: run.policyReload.seqno,
            atChunk: run.policyReload.atChunk ?? null,
            atMs: run.policyReload.atMs,
            acks: metrics.acks.map((a) => ({ threadId: a.threadId, generation: a.generation, seqno: a.seqno })),
            staleAnswers: metrics.staleAnswers.length,
          }
        : null,
      booleanFlip: run.booleanFlip ? { ...run.booleanFlip, atChunk: run.booleanFlip.atChunk ?? null } : null,
      lostChunks: metrics.lost.map((l) => ({ ...l })),
    },
    accounting: { planned: run.planned ?? null, counted: metrics.ops, lostBatches, lostOps, rerunChunks: metrics.lost.filter((l) => l.retried).length },
    throughput: metrics.throughputSeries(Math.max(50, Math.round(elapsedMs / 60))),
    heatmap: { rows: w.bins, cols, rowLabels, colLabels, cells },
    memory: { peakRssBytes: run.peakRssBytes },
    stateSkipped: run.stateSkipped,
  };
}

export function writeJsonReport(path: string, report: StressReport): void {
  try {
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  } catch (err) {
    throw ioError(path, err);
  }
}
