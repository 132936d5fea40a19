/**
 * WasmEngine: one Wasm instance = one security server + one AVC, driven with numbers only.
 * Usable in the main thread (the SecurityServer facade wraps it) and inside worker threads, built
 * from the two blobs the facade exports (policy image + SID table).
 *
 * API (small on purpose; the piscina simulator builds on it):
 *   const e = WasmEngine.create(image, sidTable, { slots: 512 }, { enforcing: true });
 *   e.hasPermNoAudit(ssid, tsid, tclass, requested)        // boolean, AVC + compute on a miss
 *   const b = e.batch();                                   // typed-array views over Wasm memory
 *   b.ssid[i] = …; b.tsid[i] = …; b.tclass[i] = …; b.requested[i] = …;
 *   e.runBatch(n); b.out[i]                                // 1 granted, 0 denied
 *   const r = e.createRegion(cap); r.views().ssid[i] = …;  // requests resident in Wasm memory
 *   r.run(start, n); r.views().out[start + i]              // check any window, no copying in
 *   e.setCondStates(results, seqno)                         // boolean change: states + flush
 *   e.reload(image, sidTable)                               // new policy: flush, keep SIDs
 *   e.stats(), e.hashStats()
 * Views returned by batch() stay valid until memory grows (SID table growth or a reload);
 * call batch() again after those.
 *
 * Failure model: a trap inside Wasm is caught and reported as a denial (fail closed). Arguments are
 * checked before they reach Wasm (src/wasm/args.ts): a SID, class or mask that is not a u32, a zero
 * request to hasPermNoAudit/check, a batch size or SID count out of range, a cond-state list of the
 * wrong length is an E_BAD_ARGUMENT error; runBatch denies every answer slot before it throws.
 */
import { badArgument, wasmFailure } from '../errors.js';
import type { AccessDecision, AvcOptions, AvcStats, ReasonedDecision } from '../types.js';
import { condStateWord } from '../policy/image.js';
import { instantiateCore, type CoreExports } from './loader.js';
import * as L from './layout.js';
import { BatchRegion } from './region.js';
import { denyAll, describeValue, requestError, requireBoolean, requireInt, requireOptions, requireTypedArray, requireU32, typedArrayKind } from './args.js';

export interface EngineOptions {
  enforcing?: boolean;
  /** checks per runBatch call (default 4096, at most MAX_BATCH_CAPACITY) */
  batchCapacity?: number;
}

/** Largest batch capacity an engine accepts (checks per runBatch call). */
export const MAX_BATCH_CAPACITY = 1 << 20;
/**
 * Largest SID count an engine accepts: the record table (a power of two of SID_REC_SIZE-byte
 * records, assembly/sidtab.ts sidReserve) then stays far below the 4 GiB of a 32-bit Wasm memory.
 */
export const MAX_SIDS = 1 << 22;

export interface BatchViews {
  readonly ssid: Uint32Array;
  readonly tsid: Uint32Array;
  readonly tclass: Uint32Array;
  readonly requested: Uint32Array;
  /** 1 granted, 0 denied */
  readonly out: Uint8Array;
  readonly capacity: number;
}

/** The decision an AVC check used, for auditing (K avc_has_perm's avd). */
export interface CheckResult {
  granted: boolean;
  avd: AccessDecision;
  /** STATUS_* from src/wasm/layout.ts (0 = decided by the policy) */
  status: number;
}

let hotSites = 0;

type HasPerm = (ssid: number, tsid: number, tclass: number, requested: number) => boolean;

/** Throws the E_BAD_ARGUMENT for a malformed single request (the hot path's slow branch). */
function refuseRequest(ssid: unknown, tsid: unknown, tclass: unknown, requested: unknown): never {
  throw requestError('hasPermNoAudit', ssid, tsid, tclass, requested) ?? badArgument('hasPermNoAudit', 'malformed request');
}

/**
 * The single-call hot path for one instance's `hasPerm` export, as a function with its own call
 * site. V8 keeps call feedback per function literal (closures of one literal share it), and inlines
 * the JS-to-Wasm call only at a monomorphic site: a site shared by every WasmEngine goes
 * polymorphic as soon as a second instance is used, and then costs ~7 ns more per check (measured,
 * bench/engine.bench.ts). A distinct source text per instance gives a distinct literal (identical
 * texts would share cached code and feedback). Where code generation from strings is disabled
 * (--disallow-code-generation-from-strings) the shared closure is used instead: same semantics.
 *
 * Argument check first (typeof, then `v >>> 0 === v`: u32 exactly, and requested non-zero), so the
 * JS-to-Wasm ToInt32 never wraps a value into a different request; a bad one throws E_BAD_ARGUMENT.
 */
function hotHasPerm(fn: (ssid: number, tsid: number, tclass: number, requested: number) => number): HasPerm {
  const body = 'return function hasPermNoAudit(ssid, tsid, tclass, requested) {\n' +
    '  if (typeof ssid !== "number" || typeof tsid !== "number" || typeof tclass !== "number" || typeof requested !== "number" ||\n' +
    '      ssid >>> 0 !== ssid || tsid >>> 0 !== tsid || tclass >>> 0 !== tclass || requested >>> 0 !== requested || requested === 0) refuse(ssid, tsid, tclass, requested);\n' +
    '  try { return f(ssid, tsid, tclass, requested) !== 0; } catch { return false; }\n};';
  try {
    return new Function('f', 'refuse', `// svirt WasmEngine hot call site #${++hotSites}\n${body}`)(fn, refuseRequest) as HasPerm;
  } catch {
    return (ssid, tsid, tclass, requested) => {
      const bad = requestError('hasPermNoAudit', ssid, tsid, tclass, requested);
      if (bad) throw bad;
      try {
        return fn(ssid, tsid, tclass, requested) !== 0;
      } catch {
        return false;
      }
    };
  }
}

const IMG_ERRORS = ['ok', 'bad magic', 'bad version', 'bad size', 'bad section table', 'bad record'];

/**
 * Image seal: header word H_SEAL (always 0 from buildPolicyImage) holds a
 * 32-bit FNV-1a checksum of every other byte when the image leaves the server (exportImage). The
 * core's structural validation keeps a corrupt image from reading out of bounds, but it cannot see a
 * flipped permission bit, permissive flag or cond state (all valid data): a flip there would grant
 * what the intact policy denies. A sealed image whose checksum does not match is refused before it
 * touches the loaded one. FNV-1a detects every single-byte change (each step is a bijection of the
 * state); an unsealed image (word 0) is loaded as before.
 */
/** FNV-1a over all bytes of `image` except the seal word; never 0 (0 means "unsealed"). */
export function imageChecksum(image: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < image.length; i++) {
    if (i === L.H_SEAL) {
      i += 3;
      continue;
    }
    h = Math.imul(h ^ image[i]!, 0x01000193);
  }
  return h >>> 0 || 1;
}

/** Stamp the seal of `image` in place (the image must be final, seqno and cond states included). */
export function sealImage(image: Uint8Array): Uint8Array {
  if (image.byteLength >= L.H_SEAL + 4) {
    new DataView(image.buffer, image.byteOffset, image.byteLength).setUint32(L.H_SEAL, imageChecksum(image), true);
  }
  return image;
}

/** AVC options with the kernel's defaults filled in (512 slots, threshold 512, reclaim 16, XOR hash), validated. */
export function avcGeometry(avc: AvcOptions | undefined): Required<AvcOptions> {
  const slots = avc?.slots ?? 512;
  const threshold = avc?.threshold ?? 512;
  const reclaim = avc?.reclaim ?? 16;
  const hash = avc?.hash ?? 'xor';
  if (!Number.isInteger(slots) || slots < 1 || (slots & (slots - 1)) !== 0 || slots > 1 << 20) {
    throw wasmFailure(`AVC slots must be a power of two in 1..2^20, got ${slots}`);
  }
  if (!Number.isInteger(threshold) || threshold < 1 || !Number.isInteger(reclaim) || reclaim < 1) {
    throw wasmFailure(`AVC threshold and reclaim must be positive integers`);
  }
  if (hash !== 'xor' && hash !== 'murmur') throw wasmFailure(`AVC hash must be 'xor' or 'murmur', got ${String(hash)}`);
  return { slots, threshold, reclaim, hash };
}

export class WasmEngine {
  private readonly x: CoreExports;
  private views: BatchViews | undefined;
  private viewBuffer: ArrayBuffer | undefined;
  private sidCount = 0;
  readonly avcOptions: Required<AvcOptions>;

  private constructor(avc: AvcOptions | undefined, opts: EngineOptions | undefined) {
    requireOptions('WasmEngine.create', 'avc', avc);
    requireOptions('WasmEngine.create', 'options', opts);
    if (opts?.enforcing !== undefined) requireBoolean('WasmEngine.create', 'enforcing', opts.enforcing);
    const cap = opts?.batchCapacity === undefined ? 4096 : requireInt('WasmEngine.create', 'batchCapacity', opts.batchCapacity, 1, MAX_BATCH_CAPACITY);
    this.avcOptions = avcGeometry(avc);
    const { slots, threshold, reclaim, hash } = this.avcOptions;
    this.x = instantiateCore();
    this.hasPermNoAudit = hotHasPerm(this.x.hasPerm);
    if (this.x.init(slots, threshold, reclaim, hash === 'murmur' ? L.HASH_MURMUR : L.HASH_XOR, cap) !== 1) throw wasmFailure('cannot initialise the AVC (out of memory?)');
    this.x.setEnforcing(opts?.enforcing === false ? 0 : 1);
  }

  /** A new engine over a policy image and a SID-table blob (SecurityServer.exportImage/exportSidTable). */
  static create(image: Uint8Array, sidTable: Uint8Array, avc?: AvcOptions, opts?: EngineOptions): WasmEngine {
    const e = new WasmEngine(avc, opts);
    e.loadImage(image);
    e.loadSidTable(sidTable);
    return e;
  }

  /** Raw exports, for tests that drive the core directly: no argument checks (the ABI ToInt32-wraps numbers). */
  get core(): CoreExports {
    return this.x;
  }

  private u8(): Uint8Array {
    return new Uint8Array(this.x.memory.buffer);
  }

  /** Copy an image into Wasm memory and activate it (does not flush the AVC: see reload). */
  loadImage(image: Uint8Array): void {
    requireTypedArray('WasmEngine.loadImage', 'image', image, 'Uint8Array');
    // a sealed image is checked before anything is overwritten: on a mismatch the loaded policy stays
    if (image.byteLength >= L.H_SEAL + 4) {
      const seal = new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(L.H_SEAL, true);
      if (seal !== 0 && seal !== imageChecksum(image)) throw wasmFailure('policy image rejected: checksum mismatch (corrupted image)');
    }
    const ptr = this.x.imageReserve(image.byteLength) >>> 0;
    if (ptr === 0) throw wasmFailure('out of memory for the policy image');
    this.u8().set(image, ptr);
    const rc = this.x.imageLoad(ptr, image.byteLength);
    if (rc !== 0) {
      // the core is now unloaded (every miss denies, its image region may be overwritten): drop the
      // cached decisions too, so no hit serves a grant of a policy that is no longer loaded
      this.x.avcReset(0);
      throw wasmFailure(`policy image rejected: ${IMG_ERRORS[rc] ?? rc}`);
    }
  }

  /** Replace all SID records with a SID-table blob. */
  loadSidTable(blob: Uint8Array): void {
    requireTypedArray('WasmEngine.loadSidTable', 'SID table', blob, 'Uint8Array');
    const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    if (blob.byteLength < L.ST_HEADER_SIZE || dv.getUint32(L.ST_MAGIC, true) !== L.SIDTAB_MAGIC) throw wasmFailure('bad SID table blob');
    const count = dv.getUint32(L.ST_COUNT, true);
    if (count > MAX_SIDS) throw wasmFailure(`SID table blob holds ${count} SIDs, more than ${MAX_SIDS}`);
    if (dv.getUint32(L.ST_RECORD_SIZE, true) !== L.SID_REC_SIZE || blob.byteLength < L.ST_HEADER_SIZE + count * L.SID_REC_SIZE) {
      throw wasmFailure('SID table blob does not match this engine');
    }
    const base = this.reserveSids(count);
    const mem = this.u8();
    mem.fill(0, base, base + count * L.SID_REC_SIZE);
    mem.set(blob.subarray(L.ST_HEADER_SIZE, L.ST_HEADER_SIZE + count * L.SID_REC_SIZE), base);
    this.setSidCount(count);
    this.x.labelCacheReset(); // the result index names SIDs of the replaced table
  }

  /** Make room for SIDs 0..count-1; returns the record base address. */
  reserveSids(count: number): number {
    requireInt('WasmEngine.reserveSids', 'count', count, 0, MAX_SIDS);
    const base = this.x.sidReserve(count) >>> 0;
    if (base === 0) throw wasmFailure('out of memory for SID records');
    return base;
  }

  setSidCount(count: number): void {
    requireInt('WasmEngine.setSidCount', 'count', count, 0, MAX_SIDS);
    this.sidCount = count;
    this.x.sidSetCount(count);
  }

  /** Write one SID record: `fill(bytes, offset)` writes SID_REC_SIZE bytes at `offset` of the Wasm memory. */
  writeSid(sid: number, fill: (mem: Uint8Array, offset: number) => void): void {
    requireInt('WasmEngine.writeSid', 'sid', sid, 1, MAX_SIDS - 1);
    if (typeof fill !== 'function') throw badArgument('WasmEngine.writeSid', 'fill must be a function');
    const base = this.reserveSids(Math.max(sid + 1, this.sidCount));
    fill(this.u8(), base + sid * L.SID_REC_SIZE);
    if (sid < this.sidCount) this.x.labelCacheReset(); // a rewritten record: the label result index may name it
    if (sid + 1 > this.sidCount) this.setSidCount(sid + 1);
  }

  /**
   * K avc_has_perm_noaudit: true granted, false denied; any trap is a denial. Each argument must be
   * an integer in 0..2^32-1 and `requested` non-zero, else E_BAD_ARGUMENT (SID 0, never-issued
   * SIDs and unknown classes are well-formed and denied). An own function per instance (see
   * hotHasPerm): its call into the export is monomorphic.
   */
  readonly hasPermNoAudit: (ssid: number, tsid: number, tclass: number, requested: number) => boolean;

  /** avc_has_perm_noaudit plus the decision used (before a permissive grant-once update). */
  check(ssid: number, tsid: number, tclass: number, requested: number): CheckResult {
    const bad = requestError('hasPerm', ssid, tsid, tclass, requested);
    if (bad) throw bad;
    let granted = false;
    try {
      granted = this.x.hasPermAvd(ssid, tsid, tclass, requested) === 1;
    } catch {
      return { granted: false, status: -1, avd: { allowed: 0, auditallow: 0, auditdeny: 0xffffffff, seqno: 0, flags: 0 } };
    }
    const d = this.readOut();
    return { granted, status: d.status, avd: { allowed: d.allowed, auditallow: d.auditallow, auditdeny: d.auditdeny, seqno: d.seqno, flags: d.flags } };
  }

  /**
   * K security_compute_av bypassing the AVC, with libsepol's reason for `requested` (0 is allowed
   * here: the decision is the answer, there is no "granted"). Arguments are u32, else E_BAD_ARGUMENT.
   */
  computeAv(ssid: number, tsid: number, tclass: number, requested = 0): ReasonedDecision & { status: number } {
    requireU32('computeAv', 'ssid', ssid);
    requireU32('computeAv', 'tsid', tsid);
    requireU32('computeAv', 'tclass', tclass);
    requireU32('computeAv', 'requested', requested);
    try {
      this.x.computeAv(ssid, tsid, tclass, requested);
    } catch {
      return { allowed: 0, auditallow: 0, auditdeny: 0xffffffff, seqno: 0, flags: 0, reason: 0, status: -1 };
    }
    return this.readOut();
  }

  private readOut(): ReasonedDecision & { status: number } {
    const dv = new DataView(this.x.memory.buffer, this.x.outAddr() >>> 0, L.OUT_SIZE);
    return {
      allowed: dv.getUint32(L.OUT_ALLOWED, true),
      auditallow: dv.getUint32(L.OUT_AUDITALLOW, true),
      auditdeny: dv.getUint32(L.OUT_AUDITDENY, true),
      seqno: dv.getUint32(L.OUT_SEQNO, true),
      flags: dv.getUint32(L.OUT_FLAGS, true),
      reason: dv.getUint32(L.OUT_REASON, true),
      status: dv.getUint32(L.OUT_STATUS, true),
    };
  }

  /** Typed-array views over the batch buffers in Wasm memory (re-fetch after memory growth). */
  batch(): BatchViews {
    const buf = this.x.memory.buffer;
    if (this.views && this.viewBuffer === buf) return this.views;
    const cap = this.x.batchAddr(5);
    const at = (i: number): number => this.x.batchAddr(i) >>> 0;
    this.views = {
      ssid: new Uint32Array(buf, at(0), cap),
      tsid: new Uint32Array(buf, at(1), cap),
      tclass: new Uint32Array(buf, at(2), cap),
      requested: new Uint32Array(buf, at(3), cap),
      out: new Uint8Array(buf, at(4), cap),
      capacity: cap,
    };
    this.viewBuffer = buf;
    return this.views;
  }

  /** A resident batch region of `capacity` requests in this instance's memory (see region.ts). */
  createRegion(capacity: number): BatchRegion {
    return BatchRegion.allocate(this.x, capacity);
  }

  /**
   * Check the first n queued requests of the batch views (n an integer in 0..capacity, else
   * E_BAD_ARGUMENT with every answer slot denied first); a trap denies the whole batch.
   */
  runBatch(n: number): void {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > this.batch().capacity) {
      denyAll(this.batch().out);
      requireInt('WasmEngine.runBatch', 'n', n, 0, this.batch().capacity);
    }
    try {
      this.x.checkBatch(n);
    } catch {
      this.batch().out.fill(0, 0, n);
    }
  }

  /** Boolean change: write the cond node states (1/0/-1 per node), stamp `seqno`, flush (K security_set_bools). */
  setCondStates(results: ArrayLike<number>, seqno: number): void {
    // the states are written into the loaded image: exactly one per cond node, each 1, 0 or -1
    // (a longer list would overwrite the sections after them, i.e. rules)
    const api = 'WasmEngine.setCondStates';
    requireU32(api, 'seqno', seqno);
    const image = this.x.imageBase() >>> 0;
    if (image === 0) throw wasmFailure('no policy loaded');
    const nconds = new DataView(this.x.memory.buffer).getUint32(image + L.H_NCONDS, true);
    if (!Array.isArray(results) && typedArrayKind(results) === undefined) throw badArgument(api, `results must be an array, got ${describeValue(results)}`);
    if (results.length !== nconds) throw badArgument(api, `the loaded policy has ${nconds} conditional nodes, got ${results.length} states`);
    for (let i = 0; i < nconds; i++) {
      const r = results[i];
      if (r !== 1 && r !== 0 && r !== -1) throw badArgument(api, `state ${i} must be 1, 0 or -1, got ${describeValue(r)}`);
    }
    const base = this.x.condStateAddr() >>> 0;
    const dv = new DataView(this.x.memory.buffer);
    for (let i = 0; i < results.length; i++) dv.setUint32(base + i * 4, condStateWord(results[i]!), true);
    this.x.setSeqno(seqno);
    this.x.avcReset(seqno);
  }

  /** New policy: image (carrying its seqno) + re-resolved SID records, then avc_ss_reset(seqno). */
  reload(image: Uint8Array, sidTable: Uint8Array): void {
    this.loadImage(image);
    this.loadSidTable(sidTable);
    this.x.avcReset(new DataView(image.buffer, image.byteOffset).getUint32(L.H_SEQNO, true));
  }

  // ── new-object labels (assembly/transition.ts) ──

  /**
   * K security_compute_sid over the loaded image: kind 0 create, 1 member, 2 relabel; `nameType` a
   * file-name type_transition's type (create only, 0 none); flags LFLAG_*. Returns the new
   * context's SID (1 .. LBL_FIRST_CODE-1), LBL_MISS (the context is in the result record: intern
   * it, then labelCacheInsert) or an LBL_* refusal. Arguments must be u32 (the caller checks); a
   * trap is LBL_NO_POLICY (fail closed: no label).
   */
  labelCompute(kind: number, ssid: number, tsid: number, tclass: number, nameType: number, flags: number): number {
    try {
      return this.x.labelCompute(kind, ssid, tsid, tclass, nameType, flags) >>> 0;
    } catch {
      return L.LBL_NO_POLICY;
    }
  }

  /** The result record of the last labelCompute (SID_REC layout): user, role, type, low and high levels. */
  labelResult(): { user: number; role: number; type: number; lowSens: number; lowCats: Uint32Array; highSens: number; highCats: Uint32Array } {
    const at = this.x.labelOutAddr() >>> 0;
    if (at === 0) throw wasmFailure('out of memory for the label result record');
    const buf = this.x.memory.buffer;
    const dv = new DataView(buf, at, L.SID_REC_SIZE);
    const cats = (level: number): Uint32Array => new Uint32Array(buf.slice(at + level + L.LEVEL_CATS, at + level + L.LEVEL_CATS + L.CATS_SIZE));
    return {
      user: dv.getUint32(L.SID_USER, true),
      role: dv.getUint32(L.SID_ROLE, true),
      type: dv.getUint32(L.SID_TYPE, true),
      lowSens: dv.getUint32(L.SID_LOW + L.LEVEL_SENS, true),
      lowCats: cats(L.SID_LOW),
      highSens: dv.getUint32(L.SID_HIGH + L.LEVEL_SENS, true),
      highCats: cats(L.SID_HIGH),
    };
  }

  /** After LBL_MISS: the result record's (valid) context is interned as `sid`. False when nothing was indexed (no pending miss, or `sid`'s record is another context). */
  labelCacheInsert(sid: number): boolean {
    requireU32('WasmEngine.labelCacheInsert', 'sid', sid);
    return this.x.labelCacheInsert(sid) === 1;
  }

  /** After LBL_MISS of an invalid context: LBL_INVALID_FLAG | its number (what labelCompute returns for it from now on), or 0 when not indexed. */
  labelCacheInsertInvalid(): number {
    return this.x.labelCacheInsertInvalid() >>> 0;
  }

  /** Changes whenever the result index is reset: invalid-context numbers of an older generation name nothing. */
  labelGeneration(): number {
    return this.x.labelGeneration() >>> 0;
  }

  /** K avc_ss_reset(seqno): flush the cache, latest_notif = max(latest_notif, seqno). */
  reset(seqno: number): void {
    requireU32('WasmEngine.reset', 'seqno', seqno);
    this.x.avcReset(seqno);
  }

  setEnforcing(on: boolean): void {
    requireBoolean('WasmEngine.setEnforcing', 'on', on);
    this.x.setEnforcing(on ? 1 : 0);
  }

  stats(): AvcStats {
    const s = (i: number): number => this.x.avcStat(i);
    const lookups = s(0);
    const misses = s(1);
    return { lookups, hits: lookups - misses, misses, allocations: s(2), reclaims: s(3), frees: s(4), activeNodes: s(5) };
  }

  /** `/sys/fs/selinux/avc/hash_stats` text (K avc_get_hash_stats). */
  hashStats(): string {
    const h = (i: number): number => this.x.avcHashStat(i) >>> 0;
    return `entries: ${h(0)}\nbuckets used: ${h(1)}/${h(2)}\nlongest chain: ${h(3)}\n`;
  }
}
