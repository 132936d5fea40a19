// New-object labels over the policy image: the kernel's security_compute_sid behind
// security_transition_sid (create), security_member_sid (member) and security_change_sid (relabel)
// (K security/selinux/ss/services.c security_compute_sid, K ss/mls.c mls_compute_sid).
// The TS twin (the reference oracle) is src/security/compute-sid.ts; both follow this order:
// 1. user: member takes the target user; create/relabel the source user, or the target's with
//    `default_user target`.
// 2. role: default_role source|target; else the source role for `process` and sockets, object_r else.
// 3. type: default_type source|target; else the source type for `process` and sockets, the target
//    type else. Then the TE rule of the kind asked for (unconditional, else the first enabled
//    conditional one); for create, a file-name rule's type (looked up by TS) overrides it.
// 4. create: role_transition (source role, target type, class) overrides the role.
// 5. MLS: create: range_transition, else the class's default_range, else as relabel; relabel: the
//    full source range for `process` and sockets, else the source low level; member: source low.
// The result goes into the result record (SID_REC layout); the result index maps a computed context
// to its SID (K sidtab_context_to_sid hashes the context the same way) over interned levels
// (assembly/levels.ts): a context is (user, role, type, low level id, high level id). Validity and
// interning of a context never seen before are TS's job (LBL_MISS, then labelCacheInsert with its
// SID, or labelCacheInsertInvalid: an invalid context has no SID).
import {
  AV_UNCONDITIONAL, CDEF_HAS_RANGE_TR, CDEF_HAS_ROLE_TR, CDEF_NONE, CDEF_RANGE_SHIFT, CDEF_ROLE_SHIFT, CDEF_SOCKET, CDEF_SOURCE, CDEF_TARGET,
  CDEF_TYPE_SHIFT, CDEF_USER_SHIFT, CLASS_LABEL, CLASS_REC_SIZE, DRANGE_GLBLUB, DRANGE_NONE,
  DRANGE_SOURCE_HIGH, DRANGE_SOURCE_LOW, DRANGE_SOURCE_LOW_HIGH, DRANGE_TARGET_HIGH, DRANGE_TARGET_LOW,
  DRANGE_TARGET_LOW_HIGH, H_SECTIONS, LABEL_COND, LABEL_KEY_HI, LABEL_KEY_LO, LABEL_REC_SIZE, LABEL_VALUE,
  LBL_BAD_ARG, LBL_BAD_CLASS, LBL_BAD_SSID, LBL_BAD_TSID, LBL_GLBLUB, LBL_MISS, LBL_NO_POLICY,
  LBL_INVALID_FLAG, LC_INITIAL_SLOTS, LC_INVALID_MAX, LC_SLOT_HASH, LC_SLOT_HIGH, LC_SLOT_LOW, LC_SLOT_ROLE, LC_SLOT_SID,
  LC_SLOT_SIZE, LC_SLOT_TYPE, LC_SLOT_USER, LEVEL_CATS, LEVEL_SENS, LFLAG_LIBSEPOL,
  LRULE_RANGE_TRANSITION, LRULE_ROLE_TRANSITION, LRULE_TYPE_CHANGE, LRULE_TYPE_MEMBER,
  RANGE_HIGH, RANGE_LOW, RANGE_REC_SIZE, SECTION_ENTRY_SIZE, SEC_CLASSES, SEC_LABEL_RANGES,
  SEC_LABEL_RULES, SID_HIGH, SID_LOW, SID_REC_SIZE, SID_ROLE, SID_STATE, SID_TYPE, SID_USER,
} from './layout';
import { alloc } from './memory';
import { condEnabled } from './cond';
import { classesBase, labelsUsable, loaded, mls, nclasses, processClass } from './policydb';
import { sidBase, sidCount, sidResolve } from './sidtab';
import { labelLevelsForget, levelAt, levelIntern, sidLevelId } from './levels';

/** object_r's value (S OBJECT_R_VAL; the policy compilers reserve role value 1 for it) */
const OBJECT_R: u32 = 1;
const NO_RULE: u32 = 0xffffffff;

let rulesBase: usize = 0;
let rulesMask: u32 = 0;
let rangesBase: usize = 0;
let ntypesL: u32 = 0;

/** the result record (SID_REC layout; SID_STATE unused; levels filled only when TS reads them) */
let outRec: usize = 0;
let outLow: u32 = 0;
let outHigh: u32 = 0;
let slotsBase: usize = 0;
let slotsCap: u32 = 0;
let slotsUsed: u32 = 0;
let outHash: u32 = 0;
/** invalid contexts indexed since the last reset (their refs: LBL_INVALID_FLAG | n) */
let invCount: u32 = 0;
/** bumped by every reset: TS ties what it remembers of invalid refs to it */
let generation: u32 = 0;
/** true between a labelCompute that returned LBL_MISS (with an indexable result) and its insert */
let pending: bool = false;

/** allocate the result record and the first index slots on first use (engines that never label pay nothing) */
function labelInit(): bool {
  if (outRec != 0) return true;
  const rec = alloc(SID_REC_SIZE);
  const slots = alloc(<usize>LC_INITIAL_SLOTS * LC_SLOT_SIZE);
  if (rec == 0 || slots == 0) return false;
  memory.fill(rec, 0, SID_REC_SIZE);
  outRec = rec;
  slotsBase = slots;
  slotsCap = LC_INITIAL_SLOTS;
  labelCacheReset();
  return true;
}

export function labelOutAddr(): usize {
  return labelInit() ? outRec : 0;
}

/** forget every computed context → SID entry and the per-SID level ids (new policy, new or rewritten SID records) */
export function labelCacheReset(): void {
  if (slotsBase != 0) memory.fill(slotsBase, 0, <usize>slotsCap * LC_SLOT_SIZE);
  slotsUsed = 0;
  invCount = 0;
  pending = false;
  generation++;
  labelLevelsForget();
}

export function labelGeneration(): u32 {
  return generation;
}

/** double the index (rehashing from the stored hashes); false when memory cannot grow (new results are then not indexed) */
function growSlots(): bool {
  if (slotsCap >= 0x1000000) return false;
  const cap = slotsCap << 1;
  const p = alloc(<usize>cap * LC_SLOT_SIZE);
  if (p == 0) return false;
  memory.fill(p, 0, <usize>cap * LC_SLOT_SIZE);
  for (let i: u32 = 0; i < slotsCap; i++) {
    const e = slotsBase + <usize>i * LC_SLOT_SIZE;
    if (load<u32>(e + LC_SLOT_SID) == 0) continue;
    let j = load<u32>(e + LC_SLOT_HASH) & (cap - 1);
    while (load<u32>(p + <usize>j * LC_SLOT_SIZE + LC_SLOT_SID) != 0) j = (j + 1) & (cap - 1);
    memory.copy(p + <usize>j * LC_SLOT_SIZE, e, LC_SLOT_SIZE);
  }
  slotsBase = p;
  slotsCap = cap;
  return true;
}

/** the rule-key hash the image builder uses too (src/policy/image.ts labelRuleHash) */
// @ts-ignore: decorator
@inline
export function labelRuleHash(hi: u32, lo: u32): u32 {
  let h = (hi * 0x9e3779b1) ^ lo;
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

function secOff(base: usize, id: u32): u32 {
  return load<u32>(base + H_SECTIONS + id * SECTION_ENTRY_SIZE);
}
function secSize(base: usize, id: u32): u32 {
  return load<u32>(base + H_SECTIONS + id * SECTION_ENTRY_SIZE + 4);
}

/**
 * Validate the label sections and class defaults of the image at `base` (section table already
 * checked to lie inside the image) and remember them. Returns false on any malformed record, so
 * that the probe loop always ends (at least one empty slot) and every value is in range.
 */
export function labelImageLoad(base: usize, nt: u32, nc: u32, nr: u32, ncond: u32): bool {
  const size = secSize(base, SEC_LABEL_RULES);
  const slots = size / LABEL_REC_SIZE;
  if (size % LABEL_REC_SIZE != 0 || slots == 0 || (slots & (slots - 1)) != 0) return false;
  const rsize = secSize(base, SEC_LABEL_RANGES);
  if (rsize % RANGE_REC_SIZE != 0 || (secOff(base, SEC_LABEL_RANGES) & 15) != 0) return false;
  const nranges = rsize / RANGE_REC_SIZE;
  const rb = base + secOff(base, SEC_LABEL_RULES);
  let empty: u32 = 0;
  for (let i: u32 = 0; i < slots; i++) {
    const e = rb + <usize>i * LABEL_REC_SIZE;
    const hi = load<u32>(e + LABEL_KEY_HI);
    if (hi == 0) {
      empty++;
      continue;
    }
    const kind = hi >>> 16;
    const a = hi & 0xffff;
    const lo = load<u32>(e + LABEL_KEY_LO);
    const b = lo >>> 16;
    const c = lo & 0xffff;
    const v = load<u32>(e + LABEL_VALUE);
    const cond = load<u32>(e + LABEL_COND);
    if (kind > LRULE_RANGE_TRANSITION || a == 0 || b == 0 || b > nt || c == 0 || c > nc) return false;
    if (kind == LRULE_ROLE_TRANSITION) {
      if (a > nr || v == 0 || v > nr) return false;
    } else if (a > nt) return false;
    if (kind <= LRULE_TYPE_CHANGE && (v == 0 || v > nt)) return false;
    if (kind == LRULE_RANGE_TRANSITION && v >= nranges) return false;
    if (cond != AV_UNCONDITIONAL && (kind > LRULE_TYPE_CHANGE || (cond >>> 1) >= ncond)) return false;
  }
  if (empty == 0) return false;
  const cb = base + secOff(base, SEC_CLASSES);
  for (let k: u32 = 0; k < nc; k++) {
    const d = load<u32>(cb + <usize>k * CLASS_REC_SIZE + CLASS_LABEL);
    if (((d >>> CDEF_USER_SHIFT) & 3) > CDEF_TARGET || ((d >>> CDEF_ROLE_SHIFT) & 3) > CDEF_TARGET) return false;
    if (((d >>> CDEF_TYPE_SHIFT) & 3) > CDEF_TARGET || ((d >>> CDEF_RANGE_SHIFT) & 15) > DRANGE_GLBLUB) return false;
    if ((d & ~(<u32>(CDEF_SOCKET | CDEF_HAS_ROLE_TR | CDEF_HAS_RANGE_TR | 0xf3f))) != 0) return false;
  }
  rulesBase = rb;
  rulesMask = slots - 1;
  rangesBase = base + secOff(base, SEC_LABEL_RANGES);
  ntypesL = nt;
  labelCacheReset();
  return true;
}

/** the first applicable rule's value for the key (unconditional, else first enabled conditional), or NO_RULE */
function ruleLookup(kind: u32, a: u32, b: u32, tclass: u32): u32 {
  const hi = (kind << 16) | a;
  const lo = (b << 16) | tclass;
  let i = labelRuleHash(hi, lo) & rulesMask;
  while (true) {
    const e = rulesBase + (<usize>i << 4);
    const khi = load<u32>(e + LABEL_KEY_HI);
    if (khi == 0) return NO_RULE;
    if (khi == hi && load<u32>(e + LABEL_KEY_LO) == lo && condEnabled(load<u32>(e + LABEL_COND))) return load<u32>(e + LABEL_VALUE);
    i = (i + 1) & rulesMask;
  }
}

/** copy a LEVEL (sensitivity, zero padding, categories) */
// @ts-ignore: decorator
@inline
function copyLevel(dst: usize, src: usize): void {
  store<u32>(dst + LEVEL_SENS, load<u32>(src + LEVEL_SENS));
  store<u32>(dst + 4, 0);
  store<u64>(dst + 8, 0);
  const d = dst + LEVEL_CATS;
  const s = src + LEVEL_CATS;
  v128.store(d, v128.load(s));
  v128.store(d, v128.load(s, 16), 16);
  v128.store(d, v128.load(s, 32), 32);
  v128.store(d, v128.load(s, 48), 48);
  v128.store(d, v128.load(s, 64), 64);
  v128.store(d, v128.load(s, 80), 80);
  v128.store(d, v128.load(s, 96), 96);
  v128.store(d, v128.load(s, 112), 112);
}

/**
 * K mls_context_glblub into the result record: the greater low sensitivity with the lows' common
 * categories, the lesser high sensitivity with the highs' common categories; false when the
 * sensitivity intervals are disjoint (K returns -EINVAL).
 */
function glblub(s: usize, t: usize): bool {
  const sl = load<u32>(s + SID_LOW + LEVEL_SENS);
  const sh = load<u32>(s + SID_HIGH + LEVEL_SENS);
  const tl = load<u32>(t + SID_LOW + LEVEL_SENS);
  const th = load<u32>(t + SID_HIGH + LEVEL_SENS);
  if (sh < tl || th < sl) return false;
  andLevel(outRec + SID_LOW, sl > tl ? sl : tl, s + SID_LOW + LEVEL_CATS, t + SID_LOW + LEVEL_CATS);
  andLevel(outRec + SID_HIGH, sh < th ? sh : th, s + SID_HIGH + LEVEL_CATS, t + SID_HIGH + LEVEL_CATS);
  return true;
}

function andLevel(dst: usize, sens: u32, a: usize, b: usize): void {
  store<u32>(dst + LEVEL_SENS, sens);
  store<u32>(dst + 4, 0);
  store<u64>(dst + 8, 0);
  for (let k: usize = 0; k < 128; k += 16) v128.store(dst + LEVEL_CATS + k, v128.and(v128.load(a + k), v128.load(b + k)));
}

/**
 * K mls_compute_sid: sets outLow / outHigh to the new range's level ids (0, 0 for a non-MLS
 * policy); false when no context can be formed (glblub). A level id of 0 in an MLS policy means
 * the level table is full: the caller then computes without the index.
 */
function computeRange(kind: u32, s: usize, t: usize, stype: u32, ttype: u32, tclass: u32, def: u32, processLike: bool): bool {
  if (kind == 0) {
    const r = (def & CDEF_HAS_RANGE_TR) != 0 ? ruleLookup(LRULE_RANGE_TRANSITION, stype, ttype, tclass) : NO_RULE;
    if (r != NO_RULE) {
      const rr = rangesBase + <usize>r * RANGE_REC_SIZE;
      outLow = levelIntern(rr + RANGE_LOW);
      outHigh = levelIntern(rr + RANGE_HIGH);
      return true;
    }
    const dr = (def >>> CDEF_RANGE_SHIFT) & 15;
    if (dr != DRANGE_NONE) {
      if (dr == DRANGE_GLBLUB) {
        if (!glblub(s, t)) return false;
        outLow = levelIntern(outRec + SID_LOW);
        outHigh = levelIntern(outRec + SID_HIGH);
        return true;
      }
      const from = dr <= DRANGE_SOURCE_LOW_HIGH ? s : t;
      const which = dr <= DRANGE_SOURCE_LOW_HIGH ? dr : dr - 3; // 1 low, 2 high, 3 low-high
      outLow = sidLevelId(from, which == DRANGE_SOURCE_HIGH ? 1 : 0);
      outHigh = sidLevelId(from, which == DRANGE_SOURCE_LOW ? 0 : 1);
      return true;
    }
  }
  outLow = sidLevelId(s, 0);
  outHigh = kind != LRULE_TYPE_MEMBER && processLike ? sidLevelId(s, 1) : outLow;
  return true;
}

/** write the levels of outLow / outHigh into the result record (zero for a non-MLS policy, whose ids are 0) */
function fillLevels(): void {
  if (!mls) {
    memory.fill(outRec + SID_LOW, 0, SID_REC_SIZE - SID_LOW);
    return;
  }
  copyLevel(outRec + SID_LOW, levelAt(outLow));
  copyLevel(outRec + SID_HIGH, levelAt(outHigh));
}

/** same context: every byte of the SID_REC fields (the builders zero all padding) */
function sameContext(a: usize, b: usize): bool {
  if (load<u64>(a + SID_USER) != load<u64>(b + SID_USER) || load<u32>(a + SID_TYPE) != load<u32>(b + SID_TYPE)) return false;
  let x = v128.xor(v128.load(a + SID_LOW), v128.load(b + SID_LOW));
  for (let k: usize = SID_LOW + 16; k < SID_REC_SIZE; k += 16) x = v128.or(x, v128.xor(v128.load(a + k), v128.load(b + k)));
  return !v128.any_true(x);
}

/**
 * compute_create (kind 0) / compute_member (1) / compute_relabel (2) for (ssid, tsid, tclass);
 * `nameType`: a file-name type_transition's new type (create only), 0 for none. Returns the SID of
 * the new context, LBL_INVALID_FLAG | n for an indexed invalid one, LBL_MISS (the context is in
 * the result record, not yet indexed) or an LBL_* refusal.
 */
export function labelCompute(kind: u32, ssid: u32, tsid: u32, tclass: u32, nameType: u32, flags: u32): u32 {
  pending = false;
  if (!loaded || !labelsUsable || rulesBase == 0 || !labelInit()) return LBL_NO_POLICY;
  if (kind > LRULE_TYPE_CHANGE || nameType > ntypesL || (nameType != 0 && kind != 0)) return LBL_BAD_ARG;
  const s = sidResolve(ssid);
  if (s == 0) return LBL_BAD_SSID;
  const t = sidResolve(tsid);
  if (t == 0) return LBL_BAD_TSID;
  if (tclass == 0 || tclass > nclasses) return LBL_BAD_CLASS;
  const def = load<u32>(classesBase + <usize>(tclass - 1) * CLASS_REC_SIZE + CLASS_LABEL);
  const processLike = tclass == processClass || ((flags & LFLAG_LIBSEPOL) == 0 && (def & CDEF_SOCKET) != 0);
  const stype = load<u32>(s + SID_TYPE);
  const ttype = load<u32>(t + SID_TYPE);
  const o = outRec;

  const du = (def >>> CDEF_USER_SHIFT) & 3;
  const user = kind == LRULE_TYPE_MEMBER || du == CDEF_TARGET ? load<u32>(t + SID_USER) : load<u32>(s + SID_USER);

  const dro = (def >>> CDEF_ROLE_SHIFT) & 3;
  let role = dro == CDEF_SOURCE ? load<u32>(s + SID_ROLE) : dro == CDEF_TARGET ? load<u32>(t + SID_ROLE) : processLike ? load<u32>(s + SID_ROLE) : OBJECT_R;

  const dt = (def >>> CDEF_TYPE_SHIFT) & 3;
  let type = dt == CDEF_SOURCE ? stype : dt == CDEF_TARGET ? ttype : processLike ? stype : ttype;
  const ruled = ruleLookup(kind, stype, ttype, tclass);
  if (ruled != NO_RULE) type = ruled;
  if (kind == 0) {
    if (nameType != 0) type = nameType;
    if ((def & CDEF_HAS_ROLE_TR) != 0) {
      const r = ruleLookup(LRULE_ROLE_TRANSITION, load<u32>(s + SID_ROLE), ttype, tclass);
      if (r != NO_RULE) role = r;
    }
  }
  store<u32>(o + SID_USER, user);
  store<u32>(o + SID_ROLE, role);
  store<u32>(o + SID_TYPE, type);
  store<u32>(o + SID_STATE, 0);

  outLow = 0;
  outHigh = 0;
  if (mls) {
    if (!computeRange(kind, s, t, stype, ttype, tclass, def, processLike)) return LBL_GLBLUB;
    if (outLow == 0 || outHigh == 0) {
      // the level table is full: hand the context over without the index (no insert follows)
      computeRangeLevels(kind, s, t, stype, ttype, tclass, def, processLike);
      return LBL_MISS;
    }
  }

  const h = labelRuleHash(labelRuleHash(user ^ (role << 16), type), outLow ^ (outHigh << 13) ^ (outHigh >>> 19));
  const mask = slotsCap - 1;
  let i = h & mask;
  while (true) {
    const e = slotsBase + <usize>i * LC_SLOT_SIZE;
    const ref = load<u32>(e + LC_SLOT_SID);
    if (ref == 0) break;
    if (load<u32>(e + LC_SLOT_HASH) == h && load<u32>(e + LC_SLOT_TYPE) == type && load<u32>(e + LC_SLOT_USER) == user &&
        load<u32>(e + LC_SLOT_ROLE) == role && load<u32>(e + LC_SLOT_LOW) == outLow && load<u32>(e + LC_SLOT_HIGH) == outHigh) {
      if ((ref & LBL_INVALID_FLAG) != 0) fillLevels(); // TS may format it
      return ref;
    }
    i = (i + 1) & mask;
  }
  fillLevels();
  outHash = h;
  pending = true;
  return LBL_MISS;
}

/** K mls_compute_sid writing the levels into the result record directly (the level table is full) */
function computeRangeLevels(kind: u32, s: usize, t: usize, stype: u32, ttype: u32, tclass: u32, def: u32, processLike: bool): void {
  const o = outRec;
  if (kind == 0) {
    const r = (def & CDEF_HAS_RANGE_TR) != 0 ? ruleLookup(LRULE_RANGE_TRANSITION, stype, ttype, tclass) : NO_RULE;
    if (r != NO_RULE) {
      const rr = rangesBase + <usize>r * RANGE_REC_SIZE;
      copyLevel(o + SID_LOW, rr + RANGE_LOW);
      copyLevel(o + SID_HIGH, rr + RANGE_HIGH);
      return;
    }
    const dr = (def >>> CDEF_RANGE_SHIFT) & 15;
    if (dr != DRANGE_NONE) {
      if (dr == DRANGE_GLBLUB) {
        glblub(s, t); // succeeded in computeRange
        return;
      }
      const from = dr <= DRANGE_SOURCE_LOW_HIGH ? s : t;
      const which = dr <= DRANGE_SOURCE_LOW_HIGH ? dr : dr - 3;
      copyLevel(o + SID_LOW, from + (which == DRANGE_SOURCE_HIGH ? SID_HIGH : SID_LOW));
      copyLevel(o + SID_HIGH, from + (which == DRANGE_SOURCE_LOW ? SID_LOW : SID_HIGH));
      return;
    }
  }
  copyLevel(o + SID_LOW, s + SID_LOW);
  copyLevel(o + SID_HIGH, s + (kind != LRULE_TYPE_MEMBER && processLike ? SID_HIGH : SID_LOW));
}

/** put `ref` into the index under the pending result's hash; false (nothing indexed) when the index cannot grow */
function indexRef(ref: u32): bool {
  if ((slotsUsed + 1) * 2 > slotsCap && !growSlots()) return false;
  const mask = slotsCap - 1;
  let i = outHash & mask;
  while (load<u32>(slotsBase + <usize>i * LC_SLOT_SIZE + LC_SLOT_SID) != 0) i = (i + 1) & mask;
  const e = slotsBase + <usize>i * LC_SLOT_SIZE;
  const o = outRec;
  store<u32>(e + LC_SLOT_HASH, outHash);
  store<u32>(e + LC_SLOT_SID, ref);
  store<u32>(e + LC_SLOT_USER, load<u32>(o + SID_USER));
  store<u32>(e + LC_SLOT_ROLE, load<u32>(o + SID_ROLE));
  store<u32>(e + LC_SLOT_TYPE, load<u32>(o + SID_TYPE));
  store<u32>(e + LC_SLOT_LOW, outLow);
  store<u32>(e + LC_SLOT_HIGH, outHigh);
  slotsUsed++;
  return true;
}

/**
 * After LBL_MISS, when the result record's context is not valid: index it. Returns
 * LBL_INVALID_FLAG | its number (what labelCompute returns for it from now on), or 0 when nothing
 * was indexed (no pending miss, too many invalid contexts, or out of memory).
 */
export function labelCacheInsertInvalid(): u32 {
  if (!pending) return 0;
  pending = false;
  if (invCount >= LC_INVALID_MAX) return 0;
  const ref = LBL_INVALID_FLAG | invCount;
  if (!indexRef(ref)) return 0;
  invCount++;
  return ref;
}

/**
 * After LBL_MISS: the result record's context is valid and interned as `sid`, whose record the
 * caller has written. Returns 1 when indexed; 0 when there is no pending miss, `sid` is not an
 * issued SID or its record differs from the result (nothing is indexed: a wrong entry would hand
 * out another context's SID).
 */
export function labelCacheInsert(sid: u32): i32 {
  if (!pending) return 0;
  pending = false;
  if (sid == 0 || sid >= LBL_INVALID_FLAG || sid >= sidCount || !sameContext(sidBase + <usize>sid * SID_REC_SIZE, outRec)) return 0;
  return indexRef(sid) ? 1 : 0;
}
