// The kernel access vector cache (K security/selinux/avc.c), single-threaded:
//  - `slots` buckets (power of two) of singly linked nodes, hashed with the kernel's
//    (ssid ^ (tsid << 2) ^ (tclass << 4)) & (slots - 1) (K avc_hash through v6.18). v6.19's
//    MurmurHash3 mix spreads keys slightly better but costs ~2x the whole hit path here (measured
//    in bench/engine.bench.ts); the policy avtab, off the hot path, does use the Murmur mix;
//  - a preallocated node pool of threshold + 2 nodes with a free list (no allocation per insert);
//  - avc_alloc_node: allocations++, and when ++active > threshold reclaim: whole buckets round
//    robin from ++lru_hint, deleting node by node (reclaims++) until `reclaim` (16) are gone;
//  - avc_insert refused when the decision's seqno < latest_notif; a node with the same key is
//    replaced in place, otherwise the new node goes to the bucket head;
//  - avc_update_node(GRANT) for permissive "grant once": only if a node with the same key AND
//    seqno still exists;
//  - avc_ss_reset: flush everything, latest_notif = max(latest_notif, seqno).
// Stats are the kernel's (lookups, misses, allocations, reclaims, frees; hits = lookups - misses).
//
// Representation (the hit path is one hash, one u32 head load, then per node one u64 + one u32
// compare): bucket heads and NODE_NEXT hold linear-memory node addresses (0 = empty/end; the pool
// never starts at address 0), so a chain step is a single load with no index arithmetic. The hit
// path itself is inlined into the exports (`hasPerm`, `checkBatch`); the miss and the permissive
// grant-once update are out-of-line calls.
import {
  AVD_FLAGS_PERMISSIVE, NODE_ALLOWED, NODE_AUDITALLOW, NODE_AUDITDENY, NODE_FLAGS, NODE_NEXT, NODE_SEQNO,
  NODE_SIZE, NODE_SSID, NODE_TCLASS, NODE_TSID, OUT_ALLOWED, OUT_AUDITALLOW, OUT_AUDITDENY, OUT_FLAGS,
  OUT_REASON, OUT_RESULT, OUT_SEQNO, OUT_STATUS, STATUS_OK, STATUS_ZERO_REQUEST,
} from './layout';
import { alloc } from './memory';
import { computeDecision, dAllowed, dAuditallow, dAuditdeny, dFlags, dReason, dSeqno, dStatus } from './security';

let slotsBase: usize = 0;
let slotMask: u32 = 0;
let freeHead: usize = 0; // node address, 0 = pool exhausted
let threshold: u32 = 512;
let reclaimBatch: u32 = 16;
let activeNodes: u32 = 0;
let lruHint: u32 = 0;
let latestNotif: u32 = 0;
export let enforcing: bool = true;
export let outBase: usize = 0;

let stLookups: u64 = 0;
let stMisses: u64 = 0;
let stAllocations: u64 = 0;
let stReclaims: u64 = 0;
let stFrees: u64 = 0;

/** allocate the cache: slots (power of two), threshold, reclaim batch; false when out of memory */
export function avcInit(slots: u32, thr: u32, reclaim: u32): bool {
  if (slots == 0 || (slots & (slots - 1)) != 0 || thr == 0 || reclaim == 0) return false;
  slotsBase = alloc(<usize>slots << 2);
  const nodeCap = thr + 2;
  const nodesBase = alloc(<usize>nodeCap * NODE_SIZE); // 64-byte aligned, never 0 on success
  outBase = alloc(64);
  if (slotsBase == 0 || nodesBase == 0 || outBase == 0) return false;
  memory.fill(slotsBase, 0, <usize>slots << 2);
  slotMask = slots - 1;
  threshold = thr;
  reclaimBatch = reclaim;
  // free list: every node, in address order
  for (let i: u32 = 0; i < nodeCap; i++) {
    const p = nodesBase + <usize>i * NODE_SIZE;
    store<u32>(p, i + 1 < nodeCap ? p + NODE_SIZE : 0, NODE_NEXT);
  }
  freeHead = nodesBase;
  activeNodes = 0;
  lruHint = 0;
  return true;
}

export function setEnforcing(on: bool): void {
  enforcing = on;
}

// @ts-ignore: decorator
@inline
function slotAddr(ssid: u32, tsid: u32, tclass: u32): usize {
  return slotsBase + (<usize>((ssid ^ (tsid << 2) ^ (tclass << 4)) & slotMask) << 2);
}

/** node `p` holds the key (st = tsid << 32 | ssid): one u64 and one u32 compare, one branch */
// @ts-ignore: decorator
@inline
function keyIs(p: usize, st: u64, tclass: u32): bool {
  return ((load<u64>(p, NODE_SSID) ^ st) | <u64>(load<u32>(p, NODE_TCLASS) ^ tclass)) == 0;
}

/**
 * K avc_search_node from bucket head `p`: the node address for the key, or 0. The first probe is
 * straight-line code (most hits are at the bucket head); only a collision enters the loop.
 */
// @ts-ignore: decorator
@inline
function searchFrom(p: usize, st: u64, tclass: u32): usize {
  if (p == 0 || keyIs(p, st, tclass)) return p;
  do {
    p = <usize>load<u32>(p, NODE_NEXT);
  } while (p != 0 && !keyIs(p, st, tclass));
  return p;
}

/** K avc_search_node: the node address for the key, or 0 */
// @ts-ignore: decorator
@inline
function searchNode(ssid: u32, tsid: u32, tclass: u32): usize {
  // NODE_SSID, NODE_TSID compared as one little-endian u64
  return searchFrom(<usize>load<u32>(slotAddr(ssid, tsid, tclass)), (<u64>tsid << 32) | <u64>ssid, tclass);
}

/** return a node to the pool (K avc_node_free / avc_node_kill) */
function freeNode(p: usize): void {
  store<u32>(p, freeHead, NODE_NEXT);
  freeHead = p;
  activeNodes--;
  stFrees++;
}

/** K avc_reclaim_node: round-robin buckets from ++lru_hint, stop after `reclaimBatch` deletions */
function reclaim(): void {
  let ecx: u32 = 0;
  for (let tries: u32 = 0; tries <= slotMask; tries++) {
    lruHint++;
    const slot = slotsBase + (<usize>(lruHint & slotMask) << 2);
    let p = <usize>load<u32>(slot);
    while (p != 0) {
      const next = <usize>load<u32>(p, NODE_NEXT);
      store<u32>(slot, next); // delete at the head of the bucket
      freeNode(p);
      stReclaims++;
      ecx++;
      if (ecx >= reclaimBatch) return;
      p = next;
    }
  }
}

/** K avc_alloc_node: a node address, or 0 when the pool is exhausted (the decision is not cached) */
function allocNode(): usize {
  const p = freeHead;
  if (p == 0) return 0;
  freeHead = <usize>load<u32>(p, NODE_NEXT);
  stAllocations++;
  activeNodes++;
  if (activeNodes > threshold) reclaim();
  return p;
}

function populate(p: usize, ssid: u32, tsid: u32, tclass: u32, allowed: u32, auditallow: u32, auditdeny: u32, seq: u32, flags: u32): void {
  store<u32>(p, ssid, NODE_SSID);
  store<u32>(p, tsid, NODE_TSID);
  store<u32>(p, tclass, NODE_TCLASS);
  store<u32>(p, allowed, NODE_ALLOWED);
  store<u32>(p, auditallow, NODE_AUDITALLOW);
  store<u32>(p, auditdeny, NODE_AUDITDENY);
  store<u32>(p, seq, NODE_SEQNO);
  store<u32>(p, flags, NODE_FLAGS);
}

/**
 * Link node `np` (already populated) into its bucket: replace a node with the same key in place
 * (K avc_node_replace), else insert at the head. `matchSeqno` >= 0 limits the match to that seqno
 * and, when nothing matches, kills the new node instead (K avc_update_node -ENOENT).
 */
function link(np: usize, ssid: u32, tsid: u32, tclass: u32, matchSeqno: i64): bool {
  const slot = slotAddr(ssid, tsid, tclass);
  let prevLink = slot;
  let p = <usize>load<u32>(slot);
  while (p != 0) {
    if (load<u32>(p, NODE_SSID) == ssid && load<u32>(p, NODE_TSID) == tsid && load<u32>(p, NODE_TCLASS) == tclass &&
        (matchSeqno < 0 || <i64>load<u32>(p, NODE_SEQNO) == matchSeqno)) {
      store<u32>(np, load<u32>(p, NODE_NEXT), NODE_NEXT);
      store<u32>(prevLink, np);
      freeNode(p);
      return true;
    }
    prevLink = p + NODE_NEXT;
    p = <usize>load<u32>(p, NODE_NEXT);
  }
  if (matchSeqno >= 0) {
    freeNode(np);
    return false;
  }
  store<u32>(np, load<u32>(slot), NODE_NEXT);
  store<u32>(slot, np);
  return true;
}

/** K avc_insert; returns true when cached */
export function avcInsert(ssid: u32, tsid: u32, tclass: u32, allowed: u32, auditallow: u32, auditdeny: u32, seq: u32, flags: u32): bool {
  if (seq < latestNotif) return false; // computed under an older policy: never cached
  const np = allocNode();
  if (np == 0) return false;
  populate(np, ssid, tsid, tclass, allowed, auditallow, auditdeny, seq, flags);
  return link(np, ssid, tsid, tclass, -1);
}

/** K avc_update_node(AVC_CALLBACK_GRANT): allowed |= perms on the node with this key and seqno */
function updateGrant(ssid: u32, tsid: u32, tclass: u32, perms: u32, seq: u32): void {
  const np = allocNode();
  if (np == 0) return;
  const orig = searchNode(ssid, tsid, tclass);
  if (orig == 0 || load<u32>(orig, NODE_SEQNO) != seq) {
    freeNode(np);
    return;
  }
  populate(np, ssid, tsid, tclass, load<u32>(orig, NODE_ALLOWED) | perms, load<u32>(orig, NODE_AUDITALLOW),
    load<u32>(orig, NODE_AUDITDENY), seq, load<u32>(orig, NODE_FLAGS));
  link(np, ssid, tsid, tclass, <i64>seq);
}

/** K avc_denied's grant branch (permissive mode or domain): cache the grant once, then grant */
// @ts-ignore: decorator
@inline
function grantOnce(ssid: u32, tsid: u32, tclass: u32, requested: u32, seq: u32): i32 {
  updateGrant(ssid, tsid, tclass, requested, seq);
  return 1;
}

/** K avc_denied: permissive mode or a permissive domain grants (once cached); else deny */
// @ts-ignore: decorator
@inline
function denied(ssid: u32, tsid: u32, tclass: u32, requested: u32, flags: u32, seq: u32): i32 {
  if (enforcing && (flags & AVD_FLAGS_PERMISSIVE) == 0) return 0;
  return grantOnce(ssid, tsid, tclass, requested, seq);
}

/** miss: compute, insert, decide; bad input is a hard denial that is neither cached nor permissive */
function miss(ssid: u32, tsid: u32, tclass: u32, requested: u32): i32 {
  stMisses++;
  computeDecision(ssid, tsid, tclass, requested);
  if (dStatus != STATUS_OK) return 0;
  avcInsert(ssid, tsid, tclass, dAllowed, dAuditallow, dAuditdeny, dSeqno, dFlags);
  if ((requested & ~dAllowed) == 0) return 1;
  return denied(ssid, tsid, tclass, requested, dFlags, dSeqno);
}

/** a cached denial in permissive mode or for a permissive domain (the hit path's cold branch) */
function hitDenied(ssid: u32, tsid: u32, tclass: u32, requested: u32, p: usize): i32 {
  return grantOnce(ssid, tsid, tclass, requested, load<u32>(p, NODE_SEQNO));
}

/**
 * The decision for a hit on node `p`: 1 granted, 0 denied. `soft` is 1 when not enforcing, else 0.
 * Branch-free except for the rare grant-once case (a denial that is permissive): whether a check
 * is granted is data-dependent and unpredictable, so it is computed, not branched on.
 */
// @ts-ignore: decorator
@inline
function hitDecide(ssid: u32, tsid: u32, tclass: u32, requested: u32, p: usize, soft: u32): i32 {
  const missing = requested & ~load<u32>(p, NODE_ALLOWED);
  // AVD_FLAGS_PERMISSIVE is bit 0: grant once when something is missing and (flags | soft) & 1
  if (((<u32>(missing != 0) & (load<u32>(p, NODE_FLAGS) | soft)) & AVD_FLAGS_PERMISSIVE) != 0) {
    return hitDenied(ssid, tsid, tclass, requested, p);
  }
  return <i32>(missing == 0);
}

/**
 * K avc_has_perm_noaudit: 1 granted, 0 denied. The hot path: one hash, one chain walk; a hit only
 * counts a lookup (hits = lookups - misses), an enforcing denial is decided inline.
 */
// @ts-ignore: decorator
@inline
export function avcHasPerm(ssid: u32, tsid: u32, tclass: u32, requested: u32): i32 {
  if (requested == 0) return 0; // K: WARN and -EACCES
  stLookups++;
  const p = searchNode(ssid, tsid, tclass);
  if (p == 0) return miss(ssid, tsid, tclass, requested);
  return hitDecide(ssid, tsid, tclass, requested, p, enforcing ? 0 : 1);
}

/**
 * avcHasPerm over n requests in linear memory (u32 arrays at s/t/c/r, one result byte each at
 * out). Same decisions and the same stats as n single calls. The inner loop makes no calls (so V8
 * keeps its locals in registers): a hit, or a zero request, is decided inline; anything needing a
 * call (miss, grant-once) leaves it, is done by avcHasPerm, and the loop resumes.
 * The lookup count is kept in a local and added once (nothing during the batch reads it; a trap
 * mid-batch, which the engine turns into an all-denied batch, would leave those hits uncounted);
 * the cache geometry and the enforcing mode cannot change during a batch.
 */
export function avcCheckBatch(s: usize, t: usize, c: usize, r: usize, out: usize, n: u32): void {
  const soft: u32 = enforcing ? 0 : 1;
  const base = slotsBase;
  const mask = slotMask;
  const end = <usize>n;
  let lookups: u32 = 0;
  let i: usize = 0;
  while (i < end) {
    for (; i < end; i++) {
      const o = i << 2;
      const ssid = load<u32>(s + o);
      const tsid = load<u32>(t + o);
      const tclass = load<u32>(c + o);
      const requested = load<u32>(r + o);
      if (requested == 0) {
        store<u8>(out + i, 0);
        continue;
      }
      const head = <usize>load<u32>(base + (<usize>((ssid ^ (tsid << 2) ^ (tclass << 4)) & mask) << 2));
      const p = searchFrom(head, (<u64>tsid << 32) | <u64>ssid, tclass);
      if (p == 0) break;
      const missing = requested & ~load<u32>(p, NODE_ALLOWED);
      if (((<u32>(missing != 0) & (load<u32>(p, NODE_FLAGS) | soft)) & AVD_FLAGS_PERMISSIVE) != 0) break;
      lookups++;
      store<u8>(out + i, <u8>(missing == 0));
    }
    if (i < end) {
      const o = i << 2;
      store<u8>(out + i, <u8>avcHasPerm(load<u32>(s + o), load<u32>(t + o), load<u32>(c + o), load<u32>(r + o)));
      i++;
    }
  }
  stLookups += lookups;
}

/**
 * avc_has_perm_noaudit that also writes the decision it used (before any grant-once update) to
 * the out-struct, for the audit path: OUT_RESULT, allowed/auditallow/auditdeny/seqno/flags, status.
 */
export function avcHasPermAvd(ssid: u32, tsid: u32, tclass: u32, requested: u32): i32 {
  const o = outBase;
  store<u32>(o + OUT_REASON, 0);
  if (requested == 0) {
    store<u32>(o + OUT_ALLOWED, 0);
    store<u32>(o + OUT_AUDITALLOW, 0);
    store<u32>(o + OUT_AUDITDENY, 0xffffffff);
    store<u32>(o + OUT_FLAGS, 0);
    store<u32>(o + OUT_STATUS, STATUS_ZERO_REQUEST);
    store<u32>(o + OUT_RESULT, 0);
    return 0;
  }
  stLookups++;
  const p = searchNode(ssid, tsid, tclass);
  let allowed: u32, flags: u32, seq: u32;
  if (p == 0) {
    stMisses++;
    computeDecision(ssid, tsid, tclass, requested);
    store<u32>(o + OUT_AUDITALLOW, dAuditallow);
    store<u32>(o + OUT_AUDITDENY, dAuditdeny);
    store<u32>(o + OUT_STATUS, dStatus);
    store<u32>(o + OUT_REASON, dReason);
    allowed = dAllowed;
    flags = dFlags;
    seq = dSeqno;
    if (dStatus != STATUS_OK) {
      store<u32>(o + OUT_ALLOWED, 0);
      store<u32>(o + OUT_FLAGS, 0);
      store<u32>(o + OUT_SEQNO, seq);
      store<u32>(o + OUT_RESULT, 0);
      return 0;
    }
    avcInsert(ssid, tsid, tclass, allowed, dAuditallow, dAuditdeny, seq, flags);
  } else {
    allowed = load<u32>(p, NODE_ALLOWED);
    flags = load<u32>(p, NODE_FLAGS);
    seq = load<u32>(p, NODE_SEQNO);
    store<u32>(o + OUT_AUDITALLOW, load<u32>(p, NODE_AUDITALLOW));
    store<u32>(o + OUT_AUDITDENY, load<u32>(p, NODE_AUDITDENY));
    store<u32>(o + OUT_STATUS, STATUS_OK);
  }
  store<u32>(o + OUT_ALLOWED, allowed);
  store<u32>(o + OUT_FLAGS, flags);
  store<u32>(o + OUT_SEQNO, seq);
  const r = (requested & ~allowed) == 0 ? 1 : denied(ssid, tsid, tclass, requested, flags, seq);
  store<u32>(o + OUT_RESULT, r);
  return r;
}

/** K avc_flush + avc_latest_notif_update(seqno, 0): the avc_ss_reset of a reload/bool change */
export function avcReset(seq: u32): void {
  for (let s: u32 = 0; s <= slotMask; s++) {
    const slot = slotsBase + (<usize>s << 2);
    let p = <usize>load<u32>(slot);
    while (p != 0) {
      const next = <usize>load<u32>(p, NODE_NEXT);
      freeNode(p);
      p = next;
    }
    store<u32>(slot, 0);
  }
  if (seq > latestNotif) latestNotif = seq;
}

export function avcLatestNotif(): u32 {
  return latestNotif;
}

/** 0 lookups, 1 misses, 2 allocations, 3 reclaims, 4 frees, 5 active nodes */
export function avcStat(which: u32): f64 {
  switch (which) {
    case 0: return <f64>stLookups;
    case 1: return <f64>stMisses;
    case 2: return <f64>stAllocations;
    case 3: return <f64>stReclaims;
    case 4: return <f64>stFrees;
    case 5: return <f64>activeNodes;
    default: return -1;
  }
}

/** K avc_get_hash_stats: 0 entries, 1 buckets used, 2 slots, 3 longest chain */
export function avcHashStat(which: u32): u32 {
  if (which == 0) return activeNodes;
  if (which == 2) return slotMask + 1;
  let used: u32 = 0;
  let longest: u32 = 0;
  for (let s: u32 = 0; s <= slotMask; s++) {
    let p = <usize>load<u32>(slotsBase + (<usize>s << 2));
    if (p == 0) continue;
    used++;
    let len: u32 = 0;
    while (p != 0) {
      len++;
      p = <usize>load<u32>(p, NODE_NEXT);
    }
    if (len > longest) longest = len;
  }
  return which == 1 ? used : longest;
}
