/**
 * The worker pool: piscina threads, each with its own Wasm instance and AVC (one hot call site per
 * instance, design.md "The Wasm boundary"), all built from ONE policy image and SID table that
 * travel once, as SharedArrayBuffers in `workerData`.
 *
 * Affinity: one single-thread piscina per worker, so a task that names a lane always runs on that
 * lane's worker (lane mod workers) — each worker owns its slice of the guests, and its AVC, ring
 * and page references hold only its lane's working set (with one shared piscina, lanes hopped
 * between threads on every chunk). Measured together with the simulator's end-of-run help
 * (stress.ts): 2-worker runStress runs of 256 M checks went from 126–142 to 159–174 M checks/s on
 * the 2-core VM (three runs each, one after the other). Piscina still queues, starts and respawns each thread. Tasks without a lane (checkMany slices) go to the least busy worker; a
 * caller may also name the worker (the simulator does, to let an idle worker help another lane).
 *
 * Policy generations: `publish()` exports the server's current image and SID table into the next
 * of two slots (generation g → slot g & 1) and returns g. A task names the generation it must be
 * answered under; a worker whose engine is older loads that slot first and acknowledges it in its
 * result (protocol.ts). Double buffering means a publish may overwrite slot g-1 only after no task
 * for generation g-1 is in flight — `publish` enforces that.
 *
 * Worker file: piscina loads compiled JS, `dist/src/sim/worker.js`. From compiled code (dist/) it
 * is this file's sibling; from TypeScript sources (vitest, tsx) it is resolved from the package
 * root, so tests need `npm run build` first (the README's test command builds). `SVIRT_SIM_WORKER`
 * overrides the path.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { simError } from '../errors.js';
import type { AvcOptions } from '../types.js';
import type { OpCatalog, SharedWorld } from './layout.js';
import type { RingPlan } from './ring.js';
import { CHUNKS_IN_FLIGHT, type PolicySlots, type PoolResult, type PoolTask, type PoolWorkerData, SLOT_HEADER_INTS } from './protocol.js';

/** What the pool needs from a security server: the exports for workers (WasmSecurityServer). */
export interface ExportingServer {
  readonly seqno: number;
  exportImage(): Uint8Array;
  exportSidTable(): Uint8Array;
}

export interface PoolOptions {
  /** worker threads (default: one per CPU) */
  workers?: number;
  avc?: AvcOptions;
  /** condition-node states per boolean generation; default: one generation, the image's own states */
  condStates?: readonly (readonly number[])[];
  /** slot capacity as a multiple of the first image + SID table size (default 2) */
  slotGrowth?: number;
  sim?: { world: SharedWorld; catalog: OpCatalog; ringPlans: readonly RingPlan[] };
}

/** Absolute path of the compiled worker module. */
export function workerPath(): string {
  const override = process.env['SVIRT_SIM_WORKER'];
  if (override) return override;
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'worker.js');
  if (existsSync(sibling)) return sibling;
  let dir = here;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'src', 'sim', 'worker.js');
    const up = dirname(dir);
    if (up === dir) throw simError('cannot locate the svirt package root (package.json)');
    dir = up;
  }
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export class WorkerPool {
  readonly workers: number;
  /** one single-thread piscina per worker (see Affinity above) */
  private readonly threads: Array<Piscina<PoolTask, PoolResult>>;
  /** tasks handed to each worker and not yet settled */
  private readonly busy: number[];
  private readonly slots: PolicySlots;
  private generation = 0;
  /** tasks in flight per generation */
  private readonly inFlight = new Map<number, number>();
  /** seqno of the server when each generation was published */
  readonly publishedSeqno: number[] = [];
  /** per chunk progress slot (lane · CHUNKS_IN_FLIGHT + k): batches done, written by the worker */
  readonly taskProgress: Int32Array | undefined;
  private closed = false;

  constructor(server: ExportingServer, options: PoolOptions = {}) {
    const path = workerPath();
    if (!existsSync(path)) throw simError(`worker module ${path} is missing: run \`npm run build\` first`);
    this.workers = options.workers ?? defaultWorkers();
    if (!Number.isInteger(this.workers) || this.workers < 1) throw simError(`workers must be a positive integer, got ${this.workers}`);
    const image = server.exportImage();
    const sids = server.exportSidTable();
    const capacity = Math.ceil((image.byteLength + sids.byteLength) * (options.slotGrowth ?? 2)) + 65536;
    this.slots = {
      header: new Int32Array(new SharedArrayBuffer(2 * SLOT_HEADER_INTS * 4)),
      slots: [new Uint8Array(new SharedArrayBuffer(capacity)), new Uint8Array(new SharedArrayBuffer(capacity))],
    };
    this.writeSlot(0, image, sids);
    this.publishedSeqno.push(server.seqno);
    this.taskProgress = options.sim ? new Int32Array(new SharedArrayBuffer(Math.max(1, options.sim.ringPlans.length * CHUNKS_IN_FLIGHT) * 4)) : undefined;
    const workerData: PoolWorkerData = {
      policy: this.slots,
      avc: options.avc ?? {},
      condStates: options.condStates ?? [],
      ...(options.sim && this.taskProgress ? { sim: { world: options.sim.world, catalog: options.sim.catalog, ringPlans: options.sim.ringPlans, taskProgress: this.taskProgress } } : {}),
    };
    this.threads = Array.from(
      { length: this.workers },
      () =>
        new Piscina<PoolTask, PoolResult>({
          filename: pathToFileURL(path).href,
          minThreads: 1,
          maxThreads: 1,
          // tasks run one at a time in a worker (the handler is synchronous); a second one waits in
          // the worker's own queue, so the worker never idles between tasks waiting for the main thread
          concurrentTasksPerWorker: CHUNKS_IN_FLIGHT,
          idleTimeout: 60_000,
          workerData,
        }),
    );
    this.busy = new Array<number>(this.workers).fill(0);
  }

  get currentGeneration(): number {
    return this.generation;
  }

  private writeSlot(generation: number, image: Uint8Array, sids: Uint8Array): void {
    const slot = this.slots.slots[(generation & 1) as 0 | 1];
    if (image.byteLength + sids.byteLength > slot.byteLength) {
      throw simError(`policy generation ${generation} (${image.byteLength + sids.byteLength} bytes) exceeds the pool's slot capacity ${slot.byteLength}`);
    }
    slot.set(image, 0);
    slot.set(sids, image.byteLength);
    const h = (generation & 1) * SLOT_HEADER_INTS;
    Atomics.store(this.slots.header, h + 1, image.byteLength);
    Atomics.store(this.slots.header, h + 2, sids.byteLength);
    Atomics.store(this.slots.header, h, generation);
  }

  /**
   * Publish the server's current policy and SID table as a new generation (after `reload`, or
   * after interning new contexts that workers must know). Returns the new generation.
   */
  publish(server: ExportingServer): number {
    const next = this.generation + 1;
    if ((this.inFlight.get(next - 2) ?? 0) > 0) throw simError(`cannot publish generation ${next}: tasks for generation ${next - 2} are still in flight`);
    this.writeSlot(next, server.exportImage(), server.exportSidTable());
    this.publishedSeqno.push(server.seqno);
    this.generation = next;
    return next;
  }

  /** The worker for a task: its lane's (lane mod workers), else the least busy. */
  private workerFor(task: PoolTask): number {
    if (task.kind !== 'check') return task.lane % this.workers;
    let best = 0;
    for (let w = 1; w < this.workers; w++) if (this.busy[w]! < this.busy[best]!) best = w;
    return best;
  }

  /**
   * Run one task on `worker` (default: the task's lane's worker, or the least busy one); rejects
   * when the worker thread dies (piscina then starts a replacement).
   */
  async run<R extends PoolResult>(task: PoolTask, worker?: number): Promise<R> {
    if (this.closed) throw simError('the worker pool is closed');
    if (task.policyGen > this.generation || task.policyGen < this.generation - 1) {
      throw simError(`task names policy generation ${task.policyGen}; the pool holds ${this.generation - 1}..${this.generation}`);
    }
    if (worker !== undefined && !(Number.isInteger(worker) && worker >= 0 && worker < this.workers)) throw simError(`no worker ${worker} in a pool of ${this.workers}`);
    const w = worker ?? this.workerFor(task);
    this.inFlight.set(task.policyGen, (this.inFlight.get(task.policyGen) ?? 0) + 1);
    this.busy[w]!++;
    try {
      return (await this.threads[w]!.run(task)) as R;
    } finally {
      this.busy[w]!--;
      this.inFlight.set(task.policyGen, this.inFlight.get(task.policyGen)! - 1);
    }
  }

  /** live worker threads (after a crash piscina replaces the dead one) */
  get threadCount(): number {
    return this.threads.reduce((n, p) => n + p.threads.length, 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.threads.map((p) => p.destroy()));
  }
}
