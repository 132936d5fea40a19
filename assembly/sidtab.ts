// SID records in linear memory, indexed by SID (K ss/sidtab.c, reduced): TS interns contexts and
// writes one SID_REC per SID; the decision path resolves a SID to its record here.
// SID 0 (SECSID_NULL) and SIDs >= count were never issued: a hard denial (design.md "fail closed").
// An initial SID without a context, or a context that became invalid on reload, is decided as the
// `unlabeled` initial SID (K sidtab_search); when that one is missing too, the check is denied.
import { alloc } from './memory';
import { SECINITSID_UNLABELED, SID_REC_SIZE, SID_STATE, SID_STATE_VALID, SID_TYPE, SID_ROLE, SID_USER } from './layout';
import { ntypes, nroles } from './policydb';

export let sidBase: usize = 0;
export let sidCap: u32 = 0;
export let sidCount: u32 = 0;

/**
 * Make room for `count` records (SIDs 0..count-1) and return the (possibly moved) base address.
 * Existing records are copied; new ones are zero (SID_STATE_NONE). Returns 0 when memory is full.
 */
export function sidReserve(count: u32): usize {
  if (count <= sidCap) return sidBase;
  if (count > 0x800000) return 0; // 2^23 records of SID_REC_SIZE bytes stay below 4 GiB; the doubling below cannot overflow
  let cap = sidCap < 64 ? <u32>64 : sidCap;
  while (cap < count) cap <<= 1;
  const p = alloc(<usize>cap * SID_REC_SIZE);
  if (p == 0) return 0;
  memory.fill(p, 0, <usize>cap * SID_REC_SIZE);
  if (sidBase != 0) memory.copy(p, sidBase, <usize>sidCap * SID_REC_SIZE);
  sidBase = p;
  sidCap = cap;
  return p;
}

/** number of SIDs in use (highest SID + 1); capped at the capacity */
export function sidSetCount(count: u32): void {
  sidCount = count <= sidCap ? count : sidCap;
}

/** a record is usable only if its user/role/type are inside the loaded policy */
// @ts-ignore: decorator
@inline
function recordUsable(rec: usize): bool {
  if (load<u32>(rec + SID_STATE) != SID_STATE_VALID) return false;
  const t = load<u32>(rec + SID_TYPE);
  const r = load<u32>(rec + SID_ROLE);
  return t != 0 && t <= ntypes && r != 0 && r <= nroles && load<u32>(rec + SID_USER) != 0;
}

/** record address for a decision, or 0 (deny) */
export function sidResolve(sid: u32): usize {
  if (sid == 0 || sid >= sidCount) return 0;
  const rec = sidBase + <usize>sid * SID_REC_SIZE;
  if (recordUsable(rec)) return rec;
  if (SECINITSID_UNLABELED >= sidCount) return 0;
  const un = sidBase + <usize>SECINITSID_UNLABELED * SID_REC_SIZE;
  return recordUsable(un) ? un : 0;
}
