// The access-vector table (K ss/avtab.c): AV_REC entries keyed (source, target, class), where keys
// may name attributes; compute_av expands both sides through type_attr_map (K
// context_struct_compute_av). Unconditional entries are merged per key by the image builder;
// conditional entries keep one record per (key, cond node, branch) and apply only while enabled
// (cond.ts).
//
// Instead of the kernel's hash probed once per (attribute-or-type of s) x (attribute-or-type of t)
// key, the image stores the records sorted by (class, source, target, cond) under a class-major
// index: per class a bitmap of the source keys that have records, a rank per bitmap word locating
// each (class, source) group, and a u16 target column. teCompute spends one bit test per source key
// and, for each non-empty group, a merge of the group's ascending targets with t's ascending
// attribute list. It visits exactly the records the probe loop would find, and combines them the
// same way (OR allowed/auditallow, AND auditdeny), so decisions are unchanged.
import {
  AV_ALLOWED, AV_AUDITALLOW, AV_AUDITDENY, AV_COND, AV_GROUP_COUNT, AV_GROUP_FIRST, AV_GROUP_SIZE,
  AV_REC_SIZE, H_SECTIONS, SECTION_ENTRY_SIZE, SEC_AV_CLASSMAP, SEC_AV_GROUPS, SEC_AV_TARGETS,
} from './layout';
import { avBase } from './policydb';
import { condEnabled } from './cond';

/** accumulators of one TE pass (allowed/auditallow OR-combined, auditdeny AND-combined) */
export let teAllowed: u32 = 0;
export let teAuditallow: u32 = 0;
export let teAuditdeny: u32 = 0xffffffff;

// class-major index of the loaded image (set by avIndexLoad)
let classMapBase: usize = 0;
/** bytes per class block: AVIDX_WORDS(ntypes) pairs of u32 */
let classBlockBytes: usize = 0;
let groupsBase: usize = 0;
let targetsBase: usize = 0;

/**
 * Groups longer than MERGE_FACTOR x |attrs(t)| are searched (binary search per target key) rather
 * than merged: a merge costs ~count + |attrs(t)| steps, the searches ~|attrs(t)| x log2(count).
 */
const MERGE_FACTOR: u32 = 8;

function teReset(): void {
  teAllowed = 0;
  teAuditallow = 0;
  teAuditdeny = 0xffffffff;
}

/** fold AV record k into the accumulators if it is enabled */
// @ts-ignore: decorator
@inline
function applyRecord(k: u32): void {
  const e = avBase + <usize>k * AV_REC_SIZE;
  if (condEnabled(load<u32>(e + AV_COND))) {
    teAllowed |= load<u32>(e + AV_ALLOWED);
    teAuditallow |= load<u32>(e + AV_AUDITALLOW);
    teAuditdeny &= load<u32>(e + AV_AUDITDENY);
  }
}

// @ts-ignore: decorator
@inline
function targetAt(k: u32): u32 {
  return <u32>load<u16>(targetsBase + (<usize>k << 1));
}

/**
 * The TE pass of K context_struct_compute_av: every enabled record keyed (a, b, tclass) with a in
 * the `sCnt` values at `sOff` (attrs(s)) and b in the `tCnt` values at `tOff` (attrs(t), sorted
 * ascending as the image stores them). 1 <= tclass <= nclasses and every value is in 1..ntypes
 * (checked at image load). Leaves the result in te*.
 */
export function teCompute(sOff: usize, sCnt: u32, tOff: usize, tCnt: u32, tclass: u32): void {
  teReset();
  if (tCnt == 0) return;
  const block = classMapBase + <usize>(tclass - 1) * classBlockBytes;
  const tEnd = tOff + (<usize>tCnt << 2);
  for (let i: u32 = 0; i < sCnt; i++) {
    const idx = load<u32>(sOff + (<usize>i << 2)) - 1;
    const pair = block + (<usize>(idx >>> 5) << 3);
    const bits = load<u32>(pair);
    const bit = idx & 31;
    if (((bits >>> bit) & 1) == 0) continue; // no rule for (attribute-or-type, class) at all
    const g = groupsBase + <usize>(load<u32>(pair, 4) + popcnt<u32>(bits & ((<u32>1 << bit) - 1))) * AV_GROUP_SIZE;
    let k = load<u32>(g + AV_GROUP_FIRST);
    const end = k + load<u32>(g + AV_GROUP_COUNT);
    if (end - k <= MERGE_FACTOR * tCnt) {
      // merge two ascending lists; equal targets (one per cond branch) all apply
      let tp = tOff;
      let tv = load<u32>(tp);
      while (k < end) {
        const v = targetAt(k);
        if (v < tv) {
          k++;
        } else if (v == tv) {
          applyRecord(k);
          k++;
        } else {
          tp += 4;
          if (tp == tEnd) break;
          tv = load<u32>(tp);
        }
      }
    } else {
      // per target key: lower bound in [k, end), then every record with that target
      for (let tp = tOff; tp < tEnd && k < end; tp += 4) {
        const tv = load<u32>(tp);
        let lo = k;
        let hi = end;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (targetAt(mid) < tv) lo = mid + 1;
          else hi = mid;
        }
        k = lo;
        while (k < end && targetAt(k) == tv) {
          applyRecord(k);
          k++;
        }
      }
    }
  }
}

/** load errors shared with policydb.ts (IMG_BAD_SECTION / IMG_BAD_RECORD) */
const BAD_SECTION: i32 = 4;
const BAD_RECORD: i32 = 5;

function secOff(base: usize, id: u32): u32 {
  return load<u32>(base + H_SECTIONS + id * SECTION_ENTRY_SIZE);
}
function secSize(base: usize, id: u32): u32 {
  return load<u32>(base + H_SECTIONS + id * SECTION_ENTRY_SIZE + 4);
}

/**
 * Validate the class-major index of the image at `base` against its `nav` AV records and adopt it.
 * It must describe the records exactly: groups cover the records in order, one group per set bit,
 * ranks count the set bits, and targets are keys in 1..nt ascending within a group. So a corrupt
 * index can neither read out of bounds nor drop or duplicate a record.
 * Returns 0 or BAD_SECTION / BAD_RECORD; on error the previous index stays in place.
 */
export function avIndexLoad(base: usize, nt: u32, nc: u32, nav: u32): i32 {
  const words = (nt + 31) >>> 5;
  const blockBytes = words * 8;
  if (secSize(base, SEC_AV_CLASSMAP) != nc * blockBytes) return BAD_SECTION;
  const gsize = secSize(base, SEC_AV_GROUPS);
  if (gsize % AV_GROUP_SIZE != 0) return BAD_SECTION;
  const ngroups = gsize / AV_GROUP_SIZE;
  if (secSize(base, SEC_AV_TARGETS) != ((nav * 2 + 3) & ~3)) return BAD_SECTION;
  const cm = base + secOff(base, SEC_AV_CLASSMAP);
  const gb = base + secOff(base, SEC_AV_GROUPS);
  const tb = base + secOff(base, SEC_AV_TARGETS);
  let g: u32 = 0;
  let next: u32 = 0; // first record not yet covered by a group
  for (let c: u32 = 1; c <= nc; c++) {
    for (let w: u32 = 0; w < words; w++) {
      const pair = cm + <usize>(c - 1) * blockBytes + <usize>w * 8;
      let bits = load<u32>(pair);
      if (bits != 0 && load<u32>(pair, 4) != g) return BAD_RECORD;
      while (bits != 0) {
        const source = w * 32 + ctz<u32>(bits) + 1;
        bits &= bits - 1;
        if (source > nt || g >= ngroups) return BAD_RECORD;
        const gr = gb + <usize>g * AV_GROUP_SIZE;
        const first = load<u32>(gr + AV_GROUP_FIRST);
        const count = load<u32>(gr + AV_GROUP_COUNT);
        if (first != next || count == 0 || count > nav - first) return BAD_RECORD;
        let prev: u32 = 1;
        for (let k = first; k < first + count; k++) {
          const tv = <u32>load<u16>(tb + (<usize>k << 1));
          if (tv < prev || tv > nt) return BAD_RECORD;
          prev = tv;
        }
        next = first + count;
        g++;
      }
    }
  }
  if (g != ngroups || next != nav) return BAD_RECORD;
  classMapBase = cm;
  classBlockBytes = blockBytes;
  groupsBase = gb;
  targetsBase = tb;
  return 0;
}
