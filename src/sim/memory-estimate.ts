/**
 * How much memory a stress configuration needs, estimated before anything is allocated, and the
 * refusal of a configuration that cannot fit (E_LIMIT → exit 2) instead of a run that grows until
 * the kernel or V8 kills it.
 *
 * The per-unit costs are measured on the simulator as built (docs/limits.md gives the formula and
 * how each cost was measured) and rounded up: the estimate errs towards refusing.
 * Two budgets are checked:
 * - the whole process (resident set) against the memory the machine can give: the cgroup limit when
 *   one is set, else the kernel's available memory (process.availableMemory(), Node ≥ 20.13);
 * - the guests' and images' JavaScript objects against V8's heap limit (heap_size_limit, set by
 *   `node --max-old-space-size`): past it V8 aborts the process however much memory is free.
 */
import { freemem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { limitError } from '../errors.js';
import type { StressOptions } from './options.js';

/** the AVC size when none is given (options.ts DEFAULTS.avc.slots) */
const DEFAULT_AVC_SLOTS = 16384;
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Per-unit costs in bytes (resident set unless named heap). */
export const STRESS_MEMORY_COSTS = {
  /** the process before any guest: Node, the policy, the main engine */
  base: 128 * MiB,
  /** one worker thread: its isolate, engine instance and policy copy (AVC and ring counted apart) */
  worker: 12 * MiB,
  /** one operation of a lane's pre-generated ring: nine columns, 32 bytes (ring.ts) plus its answer */
  ringOp: 34,
  /** one AVC slot per worker: a 32-byte node (assembly/ AVC) */
  avcSlot: 32,
  /** one guest: its label, SIDs, process and world entries */
  guest: 8 * KiB,
  /** one disk image of a guest */
  image: 320,
  /** of `guest`, the part on the main thread's JavaScript heap */
  guestHeap: 3 * KiB,
  /** of `image`, the part on the main thread's JavaScript heap */
  imageHeap: 256,
} as const;

export interface StressMemoryEstimate {
  /** whole process, bytes */
  readonly totalBytes: number;
  /** main-thread JavaScript heap for guests and images, bytes */
  readonly heapBytes: number;
}

/** What this process may use: bytes it can still get, and V8's heap limit. */
export interface MachineMemory {
  readonly availableBytes: number;
  /** where `availableBytes` comes from, for the error message */
  readonly source: string;
  readonly heapLimitBytes: number;
}

export function estimateStressMemory(guests: number, imagesPerGuest: number, o: Pick<StressOptions, 'workers' | 'ringOps' | 'avc'>): StressMemoryEstimate {
  const c = STRESS_MEMORY_COSTS;
  const lanes = Math.min(o.workers, guests);
  const perWorker = c.worker + o.ringOps * c.ringOp + (o.avc.slots ?? DEFAULT_AVC_SLOTS) * c.avcSlot;
  const images = guests * imagesPerGuest;
  return {
    totalBytes: c.base + lanes * perWorker + guests * c.guest + images * c.image,
    heapBytes: guests * c.guestHeap + images * c.imageHeap,
  };
}

/** This machine: the cgroup-aware available memory (Node's own reading) and V8's heap limit. */
export function machineMemory(): MachineMemory {
  // process.availableMemory() and constrainedMemory() honour a cgroup limit (Node ≥ 20.13); os.freemem() is MemAvailable
  const fromProcess = typeof process.availableMemory === 'function' ? process.availableMemory() : undefined;
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const source = constrained > 0 && constrained < Number.MAX_SAFE_INTEGER ? 'available under the cgroup memory limit' : 'available';
  return {
    availableBytes: fromProcess !== undefined && fromProcess > 0 ? fromProcess : freemem(),
    source,
    heapLimitBytes: getHeapStatistics().heap_size_limit,
  };
}

function size(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.ceil(bytes / MiB)} MiB`;
}

/**
 * Throw E_LIMIT when the configuration cannot fit, naming the estimate and what the machine has.
 * Called before any guest is allocated.
 */
export function checkStressMemory(guests: number, imagesPerGuest: number, o: Pick<StressOptions, 'workers' | 'ringOps' | 'avc'>, machine: MachineMemory = machineMemory()): StressMemoryEstimate {
  const e = estimateStressMemory(guests, imagesPerGuest, o);
  const what = `stress: ${guests} guests × ${imagesPerGuest} images, ${Math.min(o.workers, guests)} workers`;
  if (e.heapBytes > machine.heapLimitBytes * 0.75) {
    throw limitError(what, `${size(machine.heapLimitBytes)} JavaScript heap, node --max-old-space-size`, `needs about ${size(e.heapBytes)} of JavaScript heap for guests and images (${size(e.totalBytes)} in all); use fewer guests or images (docs/limits.md)`);
  }
  if (e.totalBytes > machine.availableBytes) {
    throw limitError(what, `${size(machine.availableBytes)} ${machine.source}`, `needs about ${size(e.totalBytes)} of memory; use fewer guests, images or workers (docs/limits.md)`);
  }
  return e;
}
