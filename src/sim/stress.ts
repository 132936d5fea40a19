/**
 * `runStress`: the whole simulation — build the host (guests, images, host files), start the
 * pool, drive every lane's closed loop of chunks, inject the faults, merge the metrics and judge.
 *
 * Lanes: lane l owns the guests [l·G/L, (l+1)·G/L) and has CHUNKS_IN_FLIGHT chunks in flight
 * (protocol.ts), so with L = workers every worker thread has its next chunk queued while it runs
 * one. A chunk's operations are a pure function of (seed, lane, chunk): a chunk lost with a
 * crashed worker (running or still queued there) is re-run identically and counted once.
 */
import { simError } from '../errors.js';
import { loadEmbeddedPolicy, loadPolicyFile } from '../policy/load.js';
import type { PolicyModel } from '../policy/model.js';
import { createSecurityServer, type WasmSecurityServer } from '../security/server.js';
import { condResults } from '../security/reference.js';
import { applyLabelFaults, type LabelFaultNote, pickFlipBoolean } from './faults.js';
import { heatColumns, variantCount } from './layout.js';
import { checkStressMemory } from './memory-estimate.js';
import { type LostChunk, RunMetrics } from './metrics.js';
import type { StressOptions } from './options.js';
import { WorkerPool } from './pool.js';
import { CHUNKS_IN_FLIGHT, type ChunkResult, type ChunkTask } from './protocol.js';
import type { RingPlan } from './ring.js';
import { guestsFromState } from './state-guests.js';
import { computeVerdict, type Verdict } from './verdict.js';
import { allocateGuests, buildWorld, type World } from './world.js';

export interface StressProgress {
  readonly doneOps: number;
  /** undefined in --duration mode */
  readonly totalOps: number | undefined;
  readonly elapsedMs: number;
  readonly durationMs: number | undefined;
  readonly breaches: number;
}

export interface StressHooks {
  onProgress?(p: StressProgress): void;
  /**
   * Called once every lane is done, before the pool closes: benchmarks use it to measure the pure
   * engine on the same threads, engines and rings (protocol.ts EngineTask).
   */
  afterLanes?(ctx: { pool: WorkerPool; lanes: number; policyGen: number; boolGen: number }): Promise<void>;
}

/** Everything a report needs: the inputs, the world, the merged metrics and the verdict. */
export interface StressRun {
  readonly options: StressOptions;
  readonly model: PolicyModel;
  readonly server: WasmSecurityServer;
  readonly world: World;
  readonly metrics: RunMetrics;
  readonly verdict: Verdict;
  readonly lanes: number;
  readonly chunkOps: number;
  /** operations in each lane's ring */
  readonly ringOps: number[];
  /** ms spent building the world and planning the lanes before the pool started (each worker generates its lane's ring) */
  readonly setupMs: number;
  readonly startedAt: Date;
  readonly elapsedMs: number;
  readonly planned: number | undefined;
  readonly labelFaults: LabelFaultNote[];
  readonly policyReload?: { generation: number; seqno: number; atChunk: number | undefined; atMs: number };
  readonly booleanFlip?: { name: string; from: boolean; to: boolean; atChunk: number | undefined; atMs: number };
  readonly stateSkipped: Array<{ name: string; reason: string }>;
  readonly peakRssBytes: number;
}

/** The policy a run uses: `--policy FILE` (text or binary) or the embedded sVirt policy. */
export function loadRunPolicy(path: string | undefined): PolicyModel {
  return path === undefined ? loadEmbeddedPolicy() : loadPolicyFile(path);
}

export async function runStress(options: StressOptions, hooks: StressHooks = {}): Promise<StressRun> {
  const startedAt = new Date();
  const model = loadRunPolicy(options.policy);
  const server = createSecurityServer(model, { booleans: options.booleans });
  const faults = options.faults;

  // ---- guests and labels
  let stateSkipped: StressRun['stateSkipped'] = [];
  let guests;
  if (options.state !== undefined) {
    const s = guestsFromState(options.state, options.imagesPerGuest);
    checkStressMemory(s.guests.length, options.imagesPerGuest, options);
    guests = s.guests;
    stateSkipped = s.skipped;
  } else {
    // refuse a configuration that cannot fit before its first guest is allocated
    checkStressMemory(options.guests, options.imagesPerGuest, options);
    guests = allocateGuests(options.guests, options.imagesPerGuest, options.seed);
  }
  const labelled = applyLabelFaults(server, guests, faults);

  // ---- boolean generations (generation 1 = after boolean-flip)
  const flipName = faults.includes('boolean-flip') ? pickFlipBoolean(server) : undefined;
  if (faults.includes('boolean-flip') && flipName === undefined) throw simError('--fault boolean-flip: the policy has no booleans');
  const flipFrom = flipName === undefined ? false : server.getBoolean(flipName);
  const boolGenerations: Array<Record<string, boolean>> = [{}];
  if (flipName !== undefined) boolGenerations.push({ [flipName]: !flipFrom });
  const world = buildWorld(server, labelled.guests, { boolGenerations });
  const baseStates = model.bools.map((b) => server.getBoolean(b.name));
  const condStates = boolGenerations.map((gen) => {
    const states = baseStates.slice();
    for (const [name, value] of Object.entries(gen)) {
      const b = model.bools.find((x) => x.name === name)!;
      states[b.value - 1] = value;
    }
    return Array.from(condResults(model, states));
  });

  // ---- lanes, chunks and rings
  const G = world.shared.guests;
  const lanes = Math.min(options.workers, G);
  const B = options.batchSize;
  const roundUp = (x: number): number => Math.max(B, Math.ceil(x / B) * B);
  const laneOps = (l: number): number => (options.ops === undefined ? Infinity : Math.floor(options.ops / lanes) + (l < options.ops % lanes ? 1 : 0));
  // chunks and rings are whole batches, so every batch is one page of its ring (workload.ts)
  const chunkOps = options.ops === undefined ? roundUp(options.chunkOps) : Math.min(roundUp(options.chunkOps), roundUp(Math.ceil(options.ops / lanes) / 8));
  const chunksOf = (l: number): number => Math.ceil(laneOps(l) / chunkOps);
  const midChunk = options.ops === undefined ? undefined : Math.floor(chunksOf(0) / 2);
  const attackBelow = Math.round(options.attackRatio * 65536);
  const hostBelow = Math.round(options.attackRatio * options.hostShare * 65536);
  const processBelow = Math.round(options.processShare * 256);
  const ringPlans: RingPlan[] = [];
  for (let lane = 0; lane < lanes; lane++) {
    const sliceStart = Math.floor((lane * G) / lanes);
    const sliceLen = Math.floor(((lane + 1) * G) / lanes) - sliceStart;
    // no longer than the lane's whole stream in --ops mode (nothing would replay it)
    const length = Math.min(roundUp(options.ringOps), roundUp(laneOps(lane)));
    ringPlans.push({ seed: options.seed, lane, length, sliceStart, sliceLen, hostBelow, attackBelow, processBelow });
  }
  const setupMs = Date.now() - startedAt.getTime();

  const pool = new WorkerPool(server, {
    workers: options.workers,
    avc: options.avc,
    condStates,
    sim: { world: world.shared, catalog: world.catalog, ringPlans },
  });
  const metrics = new RunMetrics(variantCount(world.shared, world.catalog.ops.length) * 2, world.shared.bins * heatColumns(world.shared));
  const t0 = performance.now();
  const deadline = options.durationMs === undefined ? Infinity : t0 + options.durationMs;
  let policyGen = 0;
  let boolGen = 0;
  let policyReload: StressRun['policyReload'];
  let booleanFlip: StressRun['booleanFlip'];
  let crashPlanned = faults.includes('worker-crash');
  const ackedGen = new Map<number, number>();
  let elapsedMs = 0;

  /** mid-run events: at the middle chunk (--ops) or half the duration (--duration) */
  const isMid = (chunk: number): boolean => (midChunk !== undefined ? chunk >= midChunk : performance.now() - t0 >= (options.durationMs ?? 0) / 2);
  const genFor = (chunk: number): { policyGen: number; boolGen: number } => {
    if (isMid(chunk)) {
      if (faults.includes('policy-reload') && policyReload === undefined) {
        server.reload(model);
        policyGen = pool.publish(server);
        policyReload = { generation: policyGen, seqno: server.seqno, atChunk: midChunk, atMs: performance.now() - t0 };
      }
      if (flipName !== undefined && booleanFlip === undefined) {
        boolGen = 1;
        booleanFlip = { name: flipName, from: flipFrom, to: !flipFrom, atChunk: midChunk, atMs: performance.now() - t0 };
      }
    }
    // --ops: the generation is a function of the chunk index (reproducible); --duration: of time
    if (midChunk !== undefined) {
      return { policyGen: policyReload && chunk >= midChunk ? policyGen : 0, boolGen: booleanFlip && chunk >= midChunk ? 1 : 0 };
    }
    return { policyGen, boolGen };
  };

  const report = (): void =>
    hooks.onProgress?.({
      doneOps: metrics.ops,
      totalOps: options.ops,
      elapsedMs: performance.now() - t0,
      durationMs: options.durationMs,
      breaches: metrics.heatAnomaly.reduce((a, b) => a + b, 0),
    });

  const accept = (r: ChunkResult, task: ChunkTask): void => {
    if (r.policyGen !== task.policyGen) {
      metrics.staleAnswers.push({ threadId: r.threadId, lane: r.lane, chunk: r.chunk, seqno: r.seqno, ackedSeqno: -1 });
    }
    if (r.acked) ackedGen.set(r.threadId, Math.max(ackedGen.get(r.threadId) ?? 0, r.acked.generation));
    if ((ackedGen.get(r.threadId) ?? 0) > r.policyGen) {
      metrics.staleAnswers.push({ threadId: r.threadId, lane: r.lane, chunk: r.chunk, seqno: r.seqno, ackedSeqno: -1 });
    }
    metrics.add(r);
  };

  /** one chunk of a lane on `worker`, retried after a worker crash; its batches are counted in `slot` */
  const runChunkTask = async (lane: number, chunk: number, slot: number, worker: number): Promise<void> => {
    const ops = Math.min(chunkOps, laneOps(lane) - chunk * chunkOps);
    const gens = genFor(chunk);
    let task: ChunkTask = {
      kind: 'chunk',
      lane,
      chunk,
      progressSlot: slot,
      ops,
      batchSize: B,
      // exact in doubles up to 2^53 stream positions
      ringStart: (chunk * chunkOps) % ringPlans[lane]!.length,
      ...gens,
    };
    if (crashPlanned && lane === 0 && isMid(chunk)) {
      crashPlanned = false;
      task = { ...task, crashAfterBatches: Math.max(1, Math.floor(Math.ceil(ops / options.batchSize) / 2)) };
    }
    // After a crash, piscina rejects the dead thread's tasks in the order they were given to it, and
    // each is handed again right away (no await in between): a lane's chunks stay in order on the
    // respawned thread, so it never answers an older generation after a newer one.
    for (let attempt = 0; ; attempt++) {
      // a queued task that dies with its worker never wrote its slot: start it from 0
      if (pool.taskProgress) Atomics.store(pool.taskProgress, slot, 0);
      try {
        accept(await pool.run<ChunkResult>(task, worker), task);
        return;
      } catch (err) {
        const executed = pool.taskProgress ? Atomics.load(pool.taskProgress, slot) : 0;
        const lost: LostChunk = {
          lane,
          chunk,
          batchesExecuted: executed,
          opsExecuted: Math.min(ops, executed * options.batchSize),
          retried: attempt < 2,
          error: err instanceof Error ? err.message : String(err),
        };
        metrics.lost.push(lost);
        if (attempt >= 2) throw simError(`lane ${lane} chunk ${chunk} failed ${attempt + 1} times: ${lost.error}`, err);
        const { crashAfterBatches: _drop, ...rest } = task;
        void _drop;
        task = rest;
      }
    }
  };

  // each lane's next chunk; a lane's chunks are handed out in order
  const nextChunk = new Array<number>(lanes).fill(0);
  const take = (lane: number): number | undefined => {
    const chunk = nextChunk[lane]!;
    if (options.ops !== undefined ? chunk >= chunksOf(lane) : performance.now() >= deadline) return undefined;
    nextChunk[lane] = chunk + 1;
    return chunk;
  };
  /**
   * --ops: the lane with the most chunks not yet handed out, if any. Only chunks past the middle
   * are handed to a helper: a helper has run second-half chunks of its own lane, and a chunk from
   * before a mid-run policy reload would make it answer from the old policy after acknowledging
   * the new one.
   */
  const laggard = (): number | undefined => {
    let best: number | undefined;
    for (let l = 0; l < lanes; l++) {
      const left = chunksOf(l) - nextChunk[l]!;
      if (left > 0 && nextChunk[l]! >= midChunk! && (best === undefined || left > chunksOf(best) - nextChunk[best]!)) best = l;
    }
    return best;
  };

  /**
   * A lane's chunks on its own worker (lane mod workers), CHUNKS_IN_FLIGHT at a time, until --ops
   * or the deadline. In --ops mode a worker whose lane is done helps the lane with the most chunks
   * left, so a slower thread (the VM's cores are not equally fast at every moment) does not leave
   * the other idle at the end.
   */
  const laneLoop = async (lane: number): Promise<void> => {
    const worker = lane % options.workers;
    const runner = async (slot: number): Promise<void> => {
      for (;;) {
        let l: number | undefined = lane;
        let chunk = take(lane);
        if (chunk === undefined && options.ops !== undefined) {
          l = laggard();
          chunk = l === undefined ? undefined : take(l);
        }
        if (chunk === undefined || l === undefined) return;
        await runChunkTask(l, chunk, slot, worker);
        report();
      }
    };
    await Promise.all(Array.from({ length: CHUNKS_IN_FLIGHT }, (_, k) => runner(lane * CHUNKS_IN_FLIGHT + k)));
  };

  try {
    await Promise.all(Array.from({ length: lanes }, (_, l) => laneLoop(l)));
    const elapsed = performance.now() - t0;
    await hooks.afterLanes?.({ pool, lanes, policyGen, boolGen });
    elapsedMs = elapsed;
  } finally {
    await pool.close();
  }
  report();
  const verdict = computeVerdict(model, world, metrics, { planned: options.ops, counted: metrics.ops });
  return {
    options,
    model,
    server,
    world,
    metrics,
    verdict,
    lanes,
    chunkOps,
    ringOps: ringPlans.map((r) => r.length),
    setupMs,
    startedAt,
    elapsedMs,
    planned: options.ops,
    labelFaults: labelled.notes,
    ...(policyReload ? { policyReload } : {}),
    ...(booleanFlip ? { booleanFlip } : {}),
    stateSkipped,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
