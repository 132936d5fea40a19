/**
 * Finds and compiles build/svirt.wasm once per process (per worker thread), synchronously, so that
 * `createSecurityServer` can stay synchronous. The module is stateless; every WasmEngine gets its
 * own instance (own memory, own AVC, own hot call sites).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmFailure } from '../errors.js';

/**
 * The few WebAssembly JS-API members used here, typed locally: the project's lib setting (ES2022 +
 * node types) has no `WebAssembly` namespace, and an ambient declaration could clash with others.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let cached: WasmModule | undefined;
let cachedPath: string | undefined;

/** The directory holding package.json, walking up from this file (works from src/ and dist/src/). */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw wasmFailure('cannot locate the svirt package root (package.json)');
    dir = up;
  }
}

/** Absolute path of the release Wasm build. */
export function wasmPath(): string {
  cachedPath ??= join(findPackageRoot(), 'build', 'svirt.wasm');
  return cachedPath;
}

/** The compiled module, cached per process. Throws E_WASM when the build is missing or invalid. */
export function wasmModule(): WasmModule {
  if (cached) return cached;
  const path = wasmPath();
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw wasmFailure(`${path} is missing: run \`npm run build:wasm\``, cause);
  }
  try {
    cached = new WA.Module(bytes);
  } catch (cause) {
    throw wasmFailure(`${path} is not a valid module for this runtime (SIMD required)`, cause);
  }
  return cached;
}

/** The Wasm core's exported surface (assembly/index.ts). All numbers; u32 results arrive as i32. */
export interface CoreExports {
  readonly memory: WasmMemory;
  init(slots: number, threshold: number, reclaim: number, hash: number, batchCapacity: number): number;
  batchAddr(which: number): number;
  checkBatch(n: number): void;
  regionAlloc(capacity: number): number;
  checkRegion(base: number, capacity: number, start: number, n: number): void;
  hasPerm(ssid: number, tsid: number, tclass: number, requested: number): number;
  hasPermAvd(ssid: number, tsid: number, tclass: number, requested: number): number;
  computeAv(ssid: number, tsid: number, tclass: number, requested: number): number;
  outAddr(): number;
  imageReserve(size: number): number;
  imageLoad(ptr: number, size: number): number;
  imageBase(): number;
  condStateAddr(): number;
  setSeqno(seqno: number): void;
  sidReserve(count: number): number;
  sidSetCount(count: number): void;
  setEnforcing(on: number): void;
  avcReset(seqno: number): void;
  avcInsert(ssid: number, tsid: number, tclass: number, allowed: number, seqno: number, flags: number): number;
  avcLatestNotif(): number;
  avcStat(which: number): number;
  avcHashStat(which: number): number;
  avcBucket(ssid: number, tsid: number, tclass: number): number;
  labelCompute(kind: number, ssid: number, tsid: number, tclass: number, nameType: number, flags: number): number;
  labelCacheInsert(sid: number): number;
  labelCacheReset(): void;
  labelCacheInsertInvalid(): number;
  labelGeneration(): number;
  labelOutAddr(): number;
  scratchAddr(): number;
  testCatsContains(a: number, b: number): number;
  testCatsEqual(a: number, b: number): number;
  testLevel(op: number, a: number, b: number): number;
  testRangeContains(lo1: number, hi1: number, lo2: number, hi2: number): number;
  /** exported layout constants (WebAssembly.Global objects with a `value`), compared with src/wasm/layout.ts in tests */
  readonly [constant: string]: unknown;
}

/** A fresh instance of the core (no imports). */
export function instantiateCore(): CoreExports {
  const instance = new WA.Instance(wasmModule(), {});
  return instance.exports as unknown as CoreExports;
}
