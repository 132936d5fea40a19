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
import {
  AVD_FLAGS_PERMISSIVE, NODE_ALLOWED, NODE_AUDITALLOW, NODE_AUDITDENY, NODE_FLAGS, NODE_NEXT, NODE_SEQNO,
  NODE_SIZE, NODE_SSID, NODE_TCLASS, NODE_TSID, OUT_ALLOWED, OUT_AUDITALLOW, OUT_AUDITDENY, OUT_FLAGS,
  OUT_REASON, OUT_RESULT, OUT_SEQNO, OUT_STATUS, STATUS_OK, STATUS_ZERO_REQUEST,
} from './layout';
import { alloc } from './memory';
import { computeDecision, dAllowed, dAuditallow, dAuditdeny, dFlags, dReason, dSeqno, dStatus } from './security';

let slotsBase: usize = 0;
let slotMask: u32 = 0;
let nodesBase: usize = 0;
let nodeCap: u32 = 0;
let freeHead: u32 = 0; // node index + 1
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
  nodeCap = thr + 2;
  nodesBase = alloc(<usize>nodeCap * NODE_SIZE);
  outBase = alloc(64);
  if (slotsBase == 0 || nodesBase == 0 || outBase == 0) return false;
  memory.fill(slotsBase, 0, <usize>slots << 2);
  slotMask = slots - 1;
  threshold = thr;
  reclaimBatch = reclaim;
  // free list: every node, in index order
  for (let i: u32 = 0; i < nodeCap; i++) store<u32>(nodesBase + <usize>i * NODE_SIZE + NODE_NEXT, i + 2 <= nodeCap ? i + 2 : 0);
  freeHead = 1;
  activeNodes = 0;
  lruHint = 0;
  return true;
}

export function setEnforcing(on: bool): void {
  enforcing = on;
}

// @ts-ignore: decorator
@inline
function node(idx: u32): usize {
  return nodesBase + <usize>(idx - 1) * NODE_SIZE;
}

// @ts-ignore: decorator
@inline
function slotAddr(ssid: u32, tsid: u32, tclass: u32): usize {
  return slotsBase + (<usize>((ssid ^ (tsid << 2) ^ (tclass << 4)) & slotMask) << 2);
}

/** K avc_search_node: the node for the key, or 0 */
// @ts-ignore: decorator
@inline
function searchNode(ssid: u32, tsid: u32, tclass: u32): usize {
  let n = load<u32>(slotAddr(ssid, tsid, tclass));
  while (n != 0) {
    const p = node(n);
    if (load<u32>(p + NODE_SSID) == ssid && load<u32>(p + NODE_TCLASS) == tclass && load<u32>(p + NODE_TSID) == tsid) return p;
    n = load<u32>(p + NODE_NEXT);
  }
  return 0;
}

/** return a node to the pool (K avc_node_free / avc_node_kill) */
function freeNode(idx: u32): void {
  store<u32>(node(idx) + NODE_NEXT, freeHead);
  freeHead = idx;
  activeNodes--;
  stFrees++;
}

/** K avc_reclaim_node: round-robin buckets from ++lru_hint, stop after `reclaimBatch` deletions */
function reclaim(): void {
  let ecx: u32 = 0;
  for (let tries: u32 = 0; tries <= slotMask; tries++) {
    lruHint++;
    const slot = slotsBase + (<usize>(lruHint & slotMask) << 2);
    let n = load<u32>(slot);
    while (n != 0) {
      const next = load<u32>(node(n) + NODE_NEXT);
      store<u32>(slot, next); // delete at the head of the bucket
      freeNode(n);
      stReclaims++;
      ecx++;
      if (ecx >= reclaimBatch) return;
      n = next;
    }
  }
}

/** K avc_alloc_node: a node index, or 0 when the pool is exhausted (the decision is not cached) */
function allocNode(): u32 {
  if (freeHead == 0) return 0;
  const idx = freeHead;
  freeHead = load<u32>(node(idx) + NODE_NEXT);
  stAllocations++;
  activeNodes++;
  if (activeNodes > threshold) reclaim();
  return idx;
}

function populate(p: usize, ssid: u32, tsid: u32, tclass: u32, allowed: u32, auditallow: u32, auditdeny: u32, seq: u32, flags: u32): void {
  store<u32>(p + NODE_SSID, ssid);
  store<u32>(p + NODE_TSID, tsid);
  store<u32>(p + NODE_TCLASS, tclass);
  store<u32>(p + NODE_ALLOWED, allowed);
  store<u32>(p + NODE_AUDITALLOW, auditallow);
  store<u32>(p + NODE_AUDITDENY, auditdeny);
  store<u32>(p + NODE_SEQNO, seq);
  store<u32>(p + NODE_FLAGS, flags);
}

/**
 * Link node `idx` (already populated) into its bucket: replace a node with the same key in place
 * (K avc_node_replace), else insert at the head. `matchSeqno` >= 0 limits the match to that seqno
 * and, when nothing matches, kills the new node instead (K avc_update_node -ENOENT).
 */
function link(idx: u32, ssid: u32, tsid: u32, tclass: u32, matchSeqno: i64): bool {
  const slot = slotAddr(ssid, tsid, tclass);
  let prevLink = slot;
  let n = load<u32>(slot);
  while (n != 0) {
    const p = node(n);
    if (load<u32>(p + NODE_SSID) == ssid && load<u32>(p + NODE_TSID) == tsid && load<u32>(p + NODE_TCLASS) == tclass &&
        (matchSeqno < 0 || <i64>load<u32>(p + NODE_SEQNO) == matchSeqno)) {
      store<u32>(node(idx) + NODE_NEXT, load<u32>(p + NODE_NEXT));
      store<u32>(prevLink, idx);
      freeNode(n);
      return true;
    }
    prevLink = p + NODE_NEXT;
    n = load<u32>(p + NODE_NEXT);
  }
  if (matchSeqno >= 0) {
    freeNode(idx);
    return false;
  }
  store<u32>(node(idx) + NODE_NEXT, load<u32>(slot));
  store<u32>(slot, idx);
  return true;
}

/** K avc_insert; returns true when cached */
export function avcInsert(ssid: u32, tsid: u32, tclass: u32, allowed: u32, auditallow: u32, auditdeny: u32, seq: u32, flags: u32): bool {
  if (seq < latestNotif) return false; // computed under an older policy: never cached
  const idx = allocNode();
  if (idx == 0) return false;
  populate(node(idx), ssid, tsid, tclass, allowed, auditallow, auditdeny, seq, flags);
  return link(idx, ssid, tsid, tclass, -1);
}

/** K avc_update_node(AVC_CALLBACK_GRANT): allowed |= perms on the node with this key and seqno */
function updateGrant(ssid: u32, tsid: u32, tclass: u32, perms: u32, seq: u32): void {
  const idx = allocNode();
  if (idx == 0) return;
  const orig = searchNode(ssid, tsid, tclass);
  if (orig == 0 || load<u32>(orig + NODE_SEQNO) != seq) {
    freeNode(idx);
    return;
  }
  populate(node(idx), ssid, tsid, tclass, load<u32>(orig + NODE_ALLOWED) | perms, load<u32>(orig + NODE_AUDITALLOW),
    load<u32>(orig + NODE_AUDITDENY), seq, load<u32>(orig + NODE_FLAGS));
  link(idx, ssid, tsid, tclass, <i64>seq);
}

/** K avc_denied: permissive mode or a permissive domain grants (once cached); else deny */
function denied(ssid: u32, tsid: u32, tclass: u32, requested: u32, flags: u32, seq: u32): i32 {
  if (enforcing && (flags & AVD_FLAGS_PERMISSIVE) == 0) return 0;
  updateGrant(ssid, tsid, tclass, requested, seq);
  return 1;
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

/** K avc_has_perm_noaudit: 1 granted, 0 denied. The hot path: one hash, one chain walk. */
// @ts-ignore: decorator
@inline
export function avcHasPerm(ssid: u32, tsid: u32, tclass: u32, requested: u32): i32 {
  if (requested == 0) return 0; // K: WARN and -EACCES
  stLookups++;
  const p = searchNode(ssid, tsid, tclass);
  if (p == 0) return miss(ssid, tsid, tclass, requested);
  if ((requested & ~load<u32>(p + NODE_ALLOWED)) == 0) return 1;
  return denied(ssid, tsid, tclass, requested, load<u32>(p + NODE_FLAGS), load<u32>(p + NODE_SEQNO));
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
    allowed = load<u32>(p + NODE_ALLOWED);
    flags = load<u32>(p + NODE_FLAGS);
    seq = load<u32>(p + NODE_SEQNO);
    store<u32>(o + OUT_AUDITALLOW, load<u32>(p + NODE_AUDITALLOW));
    store<u32>(o + OUT_AUDITDENY, load<u32>(p + NODE_AUDITDENY));
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
    let n = load<u32>(slot);
    while (n != 0) {
      const next = load<u32>(node(n) + NODE_NEXT);
      freeNode(n);
      n = next;
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
    let n = load<u32>(slotsBase + (<usize>s << 2));
    if (n == 0) continue;
    used++;
    let len: u32 = 0;
    while (n != 0) {
      len++;
      n = load<u32>(node(n) + NODE_NEXT);
    }
    if (len > longest) longest = len;
  }
  return which == 1 ? used : longest;
}
