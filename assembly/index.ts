// The exported surface of the Wasm core, and nothing else: numbers in, numbers out.
// The TS side (src/wasm/engine.ts) is the only caller; see assembly/layout.ts for shared offsets.
import { alloc } from './memory';
import { imageLoad as loadImageAt, condStateBase, imgBase, setSeqno as setSeqnoImpl } from './policydb';
import { sidReserve as sidReserveImpl, sidSetCount as sidSetCountImpl } from './sidtab';
import {
  avcBucketOf, avcCheckBatch, avcHasPerm, avcHasPermAvd, avcHashStat as avcHashStatImpl, avcInit, avcInsert as avcInsertImpl,
  avcLatestNotif as avcLatestNotifImpl, avcReset as avcResetImpl, avcStat as avcStatImpl, outBase,
  setEnforcing as setEnforcingImpl,
} from './avc';
import { computeDecision, dAllowed, dAuditallow, dAuditdeny, dFlags, dReason, dSeqno, dStatus } from './security';
import { catsContains, catsEqual } from './bitset';
import { labelCacheInsert as labelCacheInsertImpl, labelCacheInsertInvalid as labelCacheInsertInvalidImpl, labelGeneration as labelGenerationImpl, labelCacheReset as labelCacheResetImpl, labelCompute as labelComputeImpl, labelOutAddr as labelOutAddrImpl } from './transition';
import { levelDom, levelEq, levelIncomp, rangeContains } from './mls';
import {
  OUT_ALLOWED, OUT_AUDITALLOW, OUT_AUDITDENY, OUT_FLAGS, OUT_REASON, OUT_RESULT, OUT_SEQNO, OUT_STATUS,
} from './layout';

export * from './layout';

let batchCap: u32 = 0;
let bSsid: usize = 0;
let bTsid: usize = 0;
let bClass: usize = 0;
let bReq: usize = 0;
let bOut: usize = 0;
let imgRegion: usize = 0;
let imgRegionSize: u32 = 0;
let scratch: usize = 0;

/** allocate the AVC and the batch buffers; hash is HASH_XOR or HASH_MURMUR; 1 = ok, 0 = bad geometry or out of memory */
export function init(slots: u32, threshold: u32, reclaim: u32, hash: u32, batchCapacity: u32): i32 {
  if (!avcInit(slots, threshold, reclaim, hash) || batchCapacity == 0 || batchCapacity > 0x0fffffff) return 0;
  batchCap = batchCapacity;
  bSsid = alloc(<usize>batchCapacity * 4);
  bTsid = alloc(<usize>batchCapacity * 4);
  bClass = alloc(<usize>batchCapacity * 4);
  bReq = alloc(<usize>batchCapacity * 4);
  bOut = alloc(<usize>batchCapacity);
  scratch = alloc(1024);
  return bSsid != 0 && bTsid != 0 && bClass != 0 && bReq != 0 && bOut != 0 && scratch != 0 ? 1 : 0;
}

/** 0 ssid, 1 tsid, 2 tclass, 3 requested (u32 arrays), 4 out (u8 array), 5 capacity */
export function batchAddr(which: u32): usize {
  if (which == 0) return bSsid;
  if (which == 1) return bTsid;
  if (which == 2) return bClass;
  if (which == 3) return bReq;
  if (which == 4) return bOut;
  return batchCap;
}

/** check n queued requests (n <= capacity): out[i] = 1 granted, 0 denied (no audit) */
export function checkBatch(n: u32): void {
  avcCheckBatch(bSsid, bTsid, bClass, bReq, bOut, n < batchCap ? n : batchCap);
}

/**
 * A resident batch region for `capacity` requests: ssid, tsid, tclass and requested (u32 arrays of
 * `capacity`) then out (u8), 17 bytes per request, 64-byte aligned; 0 when out of memory.
 */
export function regionAlloc(capacity: u32): usize {
  return capacity == 0 || capacity > 0x0f0f0f0f ? 0 : alloc(<usize>capacity * 17); // 17 * capacity < 2^32
}

/** check requests [start, start + n) of the region at `base`; out of range does nothing (the caller validates) */
export function checkRegion(base: usize, capacity: u32, start: u32, n: u32): void {
  if (start > capacity || n > capacity - start) return;
  const cap = <usize>capacity;
  const o = <usize>start << 2;
  avcCheckBatch(base + o, base + (cap << 2) + o, base + (cap << 3) + o, base + cap * 12 + o, base + (cap << 4) + <usize>start, n);
}

/** K avc_has_perm_noaudit: 1 granted, 0 denied */
export function hasPerm(ssid: u32, tsid: u32, tclass: u32, requested: u32): i32 {
  return avcHasPerm(ssid, tsid, tclass, requested);
}

/** same, and the decision used is written to the out-struct (audit path) */
export function hasPermAvd(ssid: u32, tsid: u32, tclass: u32, requested: u32): i32 {
  return avcHasPermAvd(ssid, tsid, tclass, requested);
}

/** K security_compute_av bypassing the AVC (+ reason for `requested`): writes the out-struct, returns the status */
export function computeAv(ssid: u32, tsid: u32, tclass: u32, requested: u32): u32 {
  computeDecision(ssid, tsid, tclass, requested);
  const o = outBase;
  store<u32>(o + OUT_ALLOWED, dAllowed);
  store<u32>(o + OUT_AUDITALLOW, dAuditallow);
  store<u32>(o + OUT_AUDITDENY, dAuditdeny);
  store<u32>(o + OUT_SEQNO, dSeqno);
  store<u32>(o + OUT_FLAGS, dFlags);
  store<u32>(o + OUT_REASON, dReason);
  store<u32>(o + OUT_STATUS, dStatus);
  store<u32>(o + OUT_RESULT, (requested & ~dAllowed) == 0 && requested != 0 ? 1 : 0);
  return dStatus;
}

export function outAddr(): usize {
  return outBase;
}

/** a region of `size` bytes for the next image (reused when it fits); 0 when out of memory */
export function imageReserve(size: u32): usize {
  if (size <= imgRegionSize) return imgRegion;
  const p = alloc(size);
  if (p == 0) return 0;
  imgRegion = p;
  imgRegionSize = size;
  return p;
}

/** validate and activate the image at `ptr`; 0 = ok, else an IMG_* error code */
export function imageLoad(ptr: usize, size: u32): i32 {
  return loadImageAt(ptr, size);
}

export function imageBase(): usize {
  return imgBase;
}

/** address of the per-cond-node state words (COND_TRUE/FALSE/NONE) of the loaded image */
export function condStateAddr(): usize {
  return condStateBase;
}

export function setSeqno(seqno: u32): void {
  setSeqnoImpl(seqno);
}

export function sidReserve(count: u32): usize {
  return sidReserveImpl(count);
}

export function sidSetCount(count: u32): void {
  sidSetCountImpl(count);
}

export function setEnforcing(on: i32): void {
  setEnforcingImpl(on != 0);
}

export function avcReset(seqno: u32): void {
  avcResetImpl(seqno);
}

/** K avc_insert with an explicit decision (tests drive stale-seqno refusals through this) */
export function avcInsert(ssid: u32, tsid: u32, tclass: u32, allowed: u32, seqno: u32, flags: u32): i32 {
  return avcInsertImpl(ssid, tsid, tclass, allowed, 0, 0xffffffff, seqno, flags) ? 1 : 0;
}

export function avcLatestNotif(): u32 {
  return avcLatestNotifImpl();
}

export function avcStat(which: u32): f64 {
  return avcStatImpl(which);
}

/** the AVC bucket index of a key under the configured hash */
export function avcBucket(ssid: u32, tsid: u32, tclass: u32): u32 {
  return avcBucketOf(ssid, tsid, tclass);
}

export function avcHashStat(which: u32): u32 {
  return avcHashStatImpl(which);
}

// ---- new-object labels (assembly/transition.ts) ----
/** compute_create (0) / member (1) / relabel (2): the new context's SID, LBL_MISS or an LBL_* code */
export function labelCompute(kind: u32, ssid: u32, tsid: u32, tclass: u32, nameType: u32, flags: u32): u32 {
  return labelComputeImpl(kind, ssid, tsid, tclass, nameType, flags);
}
/** after LBL_MISS: the result record's context is `sid` (0 = not valid); 1 inserted, 0 no pending miss */
export function labelCacheInsert(sid: u32): i32 {
  return labelCacheInsertImpl(sid);
}
/** after LBL_MISS of an invalid context: LBL_INVALID_FLAG | its number, 0 when not indexed */
export function labelCacheInsertInvalid(): u32 {
  return labelCacheInsertInvalidImpl();
}
/** bumped by every reset of the result index (invalid-context numbers are tied to it) */
export function labelGeneration(): u32 {
  return labelGenerationImpl();
}
/** forget the computed context → SID index (the SID table was replaced) */
export function labelCacheReset(): void {
  labelCacheResetImpl();
}
/** address of the result record (SID_REC layout), 0 when out of memory */
export function labelOutAddr(): usize {
  return labelOutAddrImpl();
}

// ---- test hooks for the set algebra (operands written by the test into the scratch area) ----
export function scratchAddr(): usize {
  return scratch;
}
export function testCatsContains(a: usize, b: usize): i32 {
  return catsContains(a, b) ? 1 : 0;
}
export function testCatsEqual(a: usize, b: usize): i32 {
  return catsEqual(a, b) ? 1 : 0;
}
/** 0 dom, 1 eq, 2 incomp */
export function testLevel(op: u32, a: usize, b: usize): i32 {
  if (op == 0) return levelDom(a, b) ? 1 : 0;
  if (op == 1) return levelEq(a, b) ? 1 : 0;
  return levelIncomp(a, b) ? 1 : 0;
}
export function testRangeContains(lo1: usize, hi1: usize, lo2: usize, hi2: usize): i32 {
  return rangeContains(lo1, hi1, lo2, hi2) ? 1 : 0;
}

// ---- bench hook: the JS-to-Wasm call boundary alone (4 i32 in, i32 out, no memory access) ----
export function benchBoundary(a: u32, b: u32, c: u32, d: u32): i32 {
  return <i32>((a ^ b ^ c ^ d) & 1);
}
