/**
 * A resident batch region: requests that live in the engine's Wasm memory and are checked many
 * times, any window at a time, without being copied in per batch (the stress simulator keeps each
 * lane's replayed operation ring in one). Layout (assembly/index.ts regionAlloc): four u32 arrays of
 * `capacity` (ssid, tsid, tclass, requested), then `capacity` answer bytes.
 *
 * Views stay valid until the Wasm memory grows; `views()` re-creates them when it has.
 * Failure model as WasmEngine.runBatch: a trap denies the whole window.
 */
import { wasmFailure } from '../errors.js';
import type { CoreExports } from './loader.js';

export interface RegionViews {
  readonly ssid: Uint32Array;
  readonly tsid: Uint32Array;
  readonly tclass: Uint32Array;
  readonly requested: Uint32Array;
  /** answers: 1 granted, 0 denied, for every request of the last check that covered it */
  readonly out: Uint8Array;
}

export class BatchRegion {
  private cached: RegionViews | undefined;
  private cachedBuffer: ArrayBuffer | undefined;

  /** use WasmEngine.createRegion */
  constructor(
    private readonly x: CoreExports,
    private readonly base: number,
    readonly capacity: number,
  ) {}

  static allocate(x: CoreExports, capacity: number): BatchRegion {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 0x0fffffff) throw wasmFailure(`batch region capacity must be an integer in 1..2^28-1, got ${capacity}`);
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

  /** Check requests [start, start + n) in order; their answers are views().out[start .. start + n). */
  run(start: number, n: number): void {
    if (!Number.isInteger(start) || !Number.isInteger(n) || start < 0 || n < 0 || start + n > this.capacity) {
      throw wasmFailure(`batch region window [${start}, ${start}+${n}) is outside 0..${this.capacity}`);
    }
    try {
      this.x.checkRegion(this.base, this.capacity, start, n);
    } catch {
      this.views().out.fill(0, start, start + n);
    }
  }
}
