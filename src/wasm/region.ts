/**
 * A resident batch region: requests that live in the engine's Wasm memory and are checked many
 * times, any window at a time, without being copied in per batch (the stress simulator keeps each
 * lane's replayed operation ring in one). Layout (assembly/index.ts regionAlloc): four u32 arrays of
 * `capacity` (ssid, tsid, tclass, requested), then `capacity` answer bytes.
 *
 * Views stay valid until the Wasm memory grows; `views()` re-creates them when it has.
 * Failure model as WasmEngine.runBatch: a trap denies the whole window.
 */
import { badArgument, wasmFailure } from '../errors.js';
import { describeValue, requireInt } from './args.js';
import type { CoreExports } from './loader.js';

export interface RegionViews {
  readonly ssid: Uint32Array;
  readonly tsid: Uint32Array;
  readonly tclass: Uint32Array;
  readonly requested: Uint32Array;
  /** answers: 1 granted, 0 denied, for every request of the last check that covered it */
  readonly out: Uint8Array;
}

/** Largest region (requests); 17 bytes each, so one region stays near 1 GiB of the 4 GiB Wasm memory. */
export const MAX_REGION_CAPACITY = 1 << 26;

export class BatchRegion {
  private cached: RegionViews | undefined;
  private cachedBuffer: ArrayBuffer | undefined;

  /** use WasmEngine.createRegion (the base must come from the core's regionAlloc) */
  private constructor(
    private readonly x: CoreExports,
    private readonly base: number,
    readonly capacity: number,
  ) {}

  static allocate(x: CoreExports, capacity: number): BatchRegion {
    requireInt('createRegion', 'capacity', capacity, 1, MAX_REGION_CAPACITY);
    const base = x.regionAlloc(capacity) >>> 0;
    if (base === 0) throw wasmFailure(`out of memory for a batch region of ${capacity} requests`);
    return new BatchRegion(x, base, capacity);
  }

  views(): RegionViews {
    const buf = this.x.memory.buffer;
    if (this.cached && this.cachedBuffer === buf) return this.cached;
    const cap = this.capacity;
    const at = this.base;
    this.cached = {
      ssid: new Uint32Array(buf, at, cap),
      tsid: new Uint32Array(buf, at + 4 * cap, cap),
      tclass: new Uint32Array(buf, at + 8 * cap, cap),
      requested: new Uint32Array(buf, at + 12 * cap, cap),
      out: new Uint8Array(buf, at + 16 * cap, cap),
    };
    this.cachedBuffer = buf;
    return this.cached;
  }

  /**
   * Check requests [start, start + n) in order; their answers are views().out[start .. start + n).
   * A window outside 0..capacity is E_BAD_ARGUMENT, and then every answer slot of the region is
   * denied first (no answer of an earlier run can be read as this one's).
   */
  run(start: number, n: number): void {
    if (!isWindow(start, n, this.capacity)) {
      this.views().out.fill(0);
      throw badArgument('BatchRegion.run', `window start ${describeValue(start)}, n ${describeValue(n)} is outside 0..${this.capacity}`);
    }
    try {
      this.x.checkRegion(this.base, this.capacity, start, n);
    } catch {
      this.views().out.fill(0, start, start + n);
    }
  }
}

/** [start, start + n) is a window of integers inside 0..capacity. */
function isWindow(start: unknown, n: unknown, capacity: number): boolean {
  return typeof start === 'number' && typeof n === 'number' && Number.isInteger(start) && Number.isInteger(n) && start >= 0 && n >= 0 && start + n <= capacity;
}
