/**
 * checkMany: the worker pool as a library API. A caller with a very large batch of checks hands it
 * to the pool; it is cut into slices, each slice is checked by some worker's own Wasm instance and
 * AVC, and the decisions come back in the caller's order (out[i] = 1 granted, 0 denied).
 *
 * Workers know the SIDs and policy that were current at the last `refresh()` (or at creation):
 * intern contexts, reload or change booleans on the server first, then `refresh()`.
 * A SID unknown to the workers is denied (fail closed), exactly as the server would.
 *
 * Arguments are checked as SecurityServer.checkBatch checks them (src/wasm/args.ts): the queries
 * are four Uint32Arrays of one length (a plain array or a Float64Array would be converted mod 2^32
 * on the way into shared memory, turning 2^32 + sid into sid), else the call rejects with
 * E_BAD_ARGUMENT before any worker is asked. A request of 0 is a denial, as in checkBatch.
 */
import { badArgument, simError } from '../errors.js';
import { describeValue, requireInt, requireOptions, requireTypedArray } from '../wasm/args.js';
import { avcGeometry } from '../wasm/engine.js';
import type { AvcOptions } from '../types.js';
import { type ExportingServer, WorkerPool } from './pool.js';
import type { CheckResult } from './protocol.js';

/** Parallel arrays of equal length: one check per index. */
export interface CheckQueries {
  readonly ssid: Uint32Array;
  readonly tsid: Uint32Array;
  readonly tclass: Uint32Array;
  readonly requested: Uint32Array;
}

export interface CheckPoolOptions {
  workers?: number;
  avc?: AvcOptions;
  /** checks per pool task (default 65536) */
  sliceSize?: number;
}

export class CheckPool {
  private readonly pool: WorkerPool;
  private readonly server: ExportingServer;
  private readonly sliceSize: number;

  constructor(server: ExportingServer, options: CheckPoolOptions = {}) {
    checkServer(server);
    requireOptions('CheckPool', 'options', options);
    requireOptions('CheckPool', 'avc', options.avc);
    avcGeometry(options.avc); // refused here, not later inside every worker
    if (options.workers !== undefined) requireInt('CheckPool', 'workers', options.workers, 1, 1024);
    this.server = server;
    this.sliceSize = options.sliceSize === undefined ? 65536 : requireInt('CheckPool', 'sliceSize', options.sliceSize, 1, 2 ** 31 - 1);
    this.pool = new WorkerPool(server, { ...(options.workers !== undefined ? { workers: options.workers } : {}), ...(options.avc ? { avc: options.avc } : {}) });
  }

  get workers(): number {
    return this.pool.workers;
  }

  /** Ship the server's current policy, booleans and SID table to the workers (a new generation). */
  refresh(): void {
    this.pool.publish(this.server);
  }

  /**
   * Decisions for every query, in order (a fresh Uint8Array: 1 granted, 0 denied). Queries in
   * SharedArrayBuffer-backed arrays are read in place by the workers; others are copied once into
   * shared memory. If any slice fails, the whole call rejects: no partial answers are returned.
   */
  async checkMany(q: CheckQueries): Promise<Uint8Array> {
    const n = queryLength(q);
    const shared = sharedQueries(q);
    const out = new Uint8Array(new SharedArrayBuffer(Math.max(1, n)), 0, n);
    const gen = this.pool.currentGeneration;
    const jobs: Array<Promise<void>> = [];
    for (let start = 0; start < n; start += this.sliceSize) {
      const end = Math.min(n, start + this.sliceSize);
      jobs.push(
        this.pool.run<CheckResult>({ kind: 'check', policyGen: gen, boolGen: 0, ...shared, out, start, end }).then((r) => {
          if (r.checked !== end - start) throw simError(`checkMany: a worker answered ${r.checked} of ${end - start} checks`);
        }),
      );
    }
    await Promise.all(jobs);
    return out.slice(); // a private copy, not shared memory
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

const isShared = (a: Uint32Array): boolean => a.buffer instanceof SharedArrayBuffer;

/** The queries in shared memory: as given when all four already are, else one copy into one SharedArrayBuffer. */
function sharedQueries(q: CheckQueries): CheckQueries {
  if (isShared(q.ssid) && isShared(q.tsid) && isShared(q.tclass) && isShared(q.requested)) return q;
  const n = q.ssid.length;
  const buf = new SharedArrayBuffer(Math.max(1, 16 * n));
  const copy = (src: Uint32Array, k: number): Uint32Array => {
    const a = new Uint32Array(buf, 4 * n * k, n);
    a.set(src);
    return a;
  };
  return { ssid: copy(q.ssid, 0), tsid: copy(q.tsid, 1), tclass: copy(q.tclass, 2), requested: copy(q.requested, 3) };
}

/** One-shot convenience: a pool over `server`, one checkMany, closed again. */
export async function checkMany(server: ExportingServer, queries: CheckQueries, options: CheckPoolOptions = {}): Promise<Uint8Array> {
  queryLength(queries); // refuse malformed queries before any worker thread starts
  const pool = new CheckPool(server, options);
  try {
    return await pool.checkMany(queries);
  } finally {
    await pool.close();
  }
}

/** The number of queries, after checking that `q` holds four Uint32Arrays of one length. */
function queryLength(q: unknown): number {
  if (typeof q !== 'object' || q === null) throw badArgument('checkMany', `queries must be an object {ssid, tsid, tclass, requested}, got ${describeValue(q)}`);
  const { ssid, tsid, tclass, requested } = q as Record<string, unknown>;
  const lengths = [
    requireTypedArray('checkMany', 'ssid', ssid, 'Uint32Array'),
    requireTypedArray('checkMany', 'tsid', tsid, 'Uint32Array'),
    requireTypedArray('checkMany', 'tclass', tclass, 'Uint32Array'),
    requireTypedArray('checkMany', 'requested', requested, 'Uint32Array'),
  ];
  if (lengths.some((l) => l !== lengths[0])) throw badArgument('checkMany', `ssid/tsid/tclass/requested must have one length, got ${lengths.join('/')}`);
  return lengths[0]!;
}

function checkServer(server: unknown): void {
  const s = server as Partial<Record<keyof ExportingServer, unknown>> | null;
  if (typeof s !== 'object' || s === null || typeof s.exportImage !== 'function' || typeof s.exportSidTable !== 'function') {
    throw badArgument('checkMany', `server must be a security server (createSecurityServer), got ${describeValue(server)}`);
  }
}
