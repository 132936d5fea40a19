/**
 * A lane's operation ring made resident in one engine's Wasm memory (wasm/region.ts): its four
 * engine arguments are copied in once, then every batch is checked in place, by ring position,
 * with no per-batch copying. One per (worker thread, lane); the ring never changes after it is
 * built (ring.ts), so the resident copy stays equal to it.
 */
import type { WasmEngine } from '../wasm/engine.js';
import type { BatchRegion } from '../wasm/region.js';
import type { OpRing } from './ring.js';
import type { BatchPort } from './workload.js';

export function residentRing(engine: WasmEngine, ring: OpRing): BatchRegion {
  const region = engine.createRegion(ring.length);
  const v = region.views();
  v.ssid.set(ring.ssid);
  v.tsid.set(ring.tsid);
  v.tclass.set(ring.tclass);
  v.requested.set(ring.requested);
  return region;
}

/**
 * The workload's view of a resident ring: check positions [start, start + n), get their answers.
 * Make one per chunk: the answer view is taken once, which is safe because Wasm memory only grows
 * when a policy, SID table or region is loaded (between chunks), never while checking.
 */
export function regionPort(region: BatchRegion): BatchPort {
  const out = region.views().out;
  return {
    check(start: number, n: number): Uint8Array {
      region.run(start, n);
      return out.subarray(start, start + n);
    },
  };
}
