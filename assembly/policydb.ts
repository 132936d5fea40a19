// The loaded policy image: absolute section addresses and counts, set once by `imageLoad` after a
// structural validation pass, so the decision path can index without bounds checks of its own.
// (K ss/policydb.h struct policydb, reduced to what compute_av reads.)
import {
  AV_COND, AV_REC_SIZE, AV_UNCONDITIONAL,
  CEXPR_NAMES_OFF, CEXPR_NAMES_WORDS, CEXPR_REC_SIZE, CLASS_CONS_COUNT, CLASS_CONS_FIRST,
  CLASS_REC_SIZE, CONS_EXPR_COUNT, CONS_EXPR_FIRST, CONS_REC_SIZE, H_FLAGS,
  H_HANDLE_UNKNOWN, H_MAGIC, H_NCLASSES, H_NCONDS, H_NROLES, H_NSECTIONS, H_NTYPES, H_NUSERS,
  H_PROCESS_CLASS, H_PROCESS_TRANS, H_ROLE_WORDS, H_SECTIONS, H_SEQNO, H_SIZE, H_VERSION,
  IMG_FLAG_MLS, IMG_FLAG_NO_LABELS, IMG_MAGIC, IMG_VERSION, NSECTIONS, SECTION_ENTRY_SIZE, SEC_AVTAB,
  SEC_CEXPR, SEC_CLASSES, SEC_COND_STATE, SEC_CONSTRAINTS, SEC_NAMES,
  SEC_ROLE_ALLOW, SEC_ROLE_DOM, SEC_TYPES, SEC_TYPE_ATTR, TYPE_ATTR_COUNT, TYPE_ATTR_OFF,
  TYPE_BOUNDS, TYPE_REC_SIZE, HU_REJECT,
} from './layout';
import { avIndexLoad } from './avtab';
import { labelImageLoad } from './transition';

export let loaded: bool = false;
export let imgBase: usize = 0;
export let seqno: u32 = 0;
export let mls: bool = false;
/** false when the image says its label rules could not be read (IMG_FLAG_NO_LABELS) */
export let labelsUsable: bool = false;
export let handleUnknown: u32 = 0;
export let ntypes: u32 = 0;
export let nclasses: u32 = 0;
export let nroles: u32 = 0;
export let nusers: u32 = 0;
export let nconds: u32 = 0;
export let processClass: u32 = 0;
export let processTrans: u32 = 0;
export let roleWords: u32 = 0;
export let typesBase: usize = 0;
export let classesBase: usize = 0;
export let consBase: usize = 0;
export let cexprBase: usize = 0;
export let roleDomBase: usize = 0;
export let roleAllowBase: usize = 0;
export let avBase: usize = 0;
export let condStateBase: usize = 0;

/** load errors (returned by imageLoad; 0 = loaded) */
export const IMG_OK: i32 = 0;
export const IMG_BAD_MAGIC: i32 = 1;
export const IMG_BAD_VERSION: i32 = 2;
export const IMG_BAD_SIZE: i32 = 3;
export const IMG_BAD_SECTION: i32 = 4;
export const IMG_BAD_RECORD: i32 = 5;

function secOff(base: usize, id: u32): u32 {
  return load<u32>(base + H_SECTIONS + id * SECTION_ENTRY_SIZE);
}
function secSize(base: usize, id: u32): u32 {
  return load<u32>(base + H_SECTIONS + id * SECTION_ENTRY_SIZE + 4);
}
/** [off, off+len) lies inside section id (all image-relative) */
function inSection(base: usize, id: u32, off: u32, len: u32): bool {
  const s = secOff(base, id);
  const e = s + secSize(base, id);
  return off >= s && off <= e && len <= e - off;
}

/**
 * Validate the image at `base` (already copied into linear memory, `size` bytes) and make it the
 * current policy. On any error the previous state is kept unchanged... except `loaded`, which is
 * cleared so that a half-valid policy can never decide (fail closed).
 */
export function imageLoad(base: usize, size: u32): i32 {
  loaded = false;
  if (size < H_SECTIONS + NSECTIONS * SECTION_ENTRY_SIZE) return IMG_BAD_SIZE;
  if (load<u32>(base + H_MAGIC) != IMG_MAGIC) return IMG_BAD_MAGIC;
  if (load<u32>(base + H_VERSION) != IMG_VERSION) return IMG_BAD_VERSION;
  if (load<u32>(base + H_SIZE) != size) return IMG_BAD_SIZE;
  if (load<u32>(base + H_NSECTIONS) != NSECTIONS) return IMG_BAD_SECTION;
  for (let i: u32 = 0; i < NSECTIONS; i++) {
    const o = secOff(base, i);
    const l = secSize(base, i);
    if ((o & 3) != 0 || o > size || l > size - o) return IMG_BAD_SECTION;
  }
  const nt = load<u32>(base + H_NTYPES);
  const nc = load<u32>(base + H_NCLASSES);
  const nr = load<u32>(base + H_NROLES);
  const ncond = load<u32>(base + H_NCONDS);
  const rw = load<u32>(base + H_ROLE_WORDS);
  if (nt > 0xffff || nc > 0xffff || nr > 0xffff) return IMG_BAD_RECORD;
  if (secSize(base, SEC_TYPES) != nt * TYPE_REC_SIZE) return IMG_BAD_SECTION;
  if (secSize(base, SEC_CLASSES) != nc * CLASS_REC_SIZE) return IMG_BAD_SECTION;
  if (secSize(base, SEC_COND_STATE) != ncond * 4) return IMG_BAD_SECTION;
  if (rw != (nr + 31) >>> 5) return IMG_BAD_RECORD;
  if (secSize(base, SEC_ROLE_DOM) != nr * rw * 4 || secSize(base, SEC_ROLE_ALLOW) != nr * rw * 4) return IMG_BAD_SECTION;
  if (secSize(base, SEC_AVTAB) % AV_REC_SIZE != 0) return IMG_BAD_SECTION;
  const nav = secSize(base, SEC_AVTAB) / AV_REC_SIZE;
  const ncons = secSize(base, SEC_CONSTRAINTS) / CONS_REC_SIZE;
  const ncexpr = secSize(base, SEC_CEXPR) / CEXPR_REC_SIZE;

  // types: attr lists inside SEC_TYPE_ATTR with values in 1..nt; bounds in 0..nt
  for (let t: u32 = 0; t < nt; t++) {
    const r = base + secOff(base, SEC_TYPES) + t * TYPE_REC_SIZE;
    const off = load<u32>(r + TYPE_ATTR_OFF);
    const cnt = load<u32>(r + TYPE_ATTR_COUNT);
    if (cnt > nt || !inSection(base, SEC_TYPE_ATTR, off, cnt * 4)) return IMG_BAD_RECORD;
    // strictly ascending: the AV index merges these lists with sorted group targets (avtab.ts)
    let prev: u32 = 0;
    for (let k: u32 = 0; k < cnt; k++) {
      const v = load<u32>(base + off + k * 4);
      if (v <= prev || v > nt) return IMG_BAD_RECORD;
      prev = v;
    }
    if (load<u32>(r + TYPE_BOUNDS) > nt) return IMG_BAD_RECORD;
  }
  // classes → constraints → expression nodes → names bitsets
  for (let c: u32 = 0; c < nc; c++) {
    const r = base + secOff(base, SEC_CLASSES) + c * CLASS_REC_SIZE;
    const first = load<u32>(r + CLASS_CONS_FIRST);
    const cnt = load<u32>(r + CLASS_CONS_COUNT);
    if (first > ncons || cnt > ncons - first) return IMG_BAD_RECORD;
  }
  for (let k: u32 = 0; k < ncons; k++) {
    const r = base + secOff(base, SEC_CONSTRAINTS) + k * CONS_REC_SIZE;
    const first = load<u32>(r + CONS_EXPR_FIRST);
    const cnt = load<u32>(r + CONS_EXPR_COUNT);
    if (first > ncexpr || cnt > ncexpr - first) return IMG_BAD_RECORD;
  }
  for (let k: u32 = 0; k < ncexpr; k++) {
    const r = base + secOff(base, SEC_CEXPR) + k * CEXPR_REC_SIZE;
    const words = load<u32>(r + CEXPR_NAMES_WORDS);
    if (words != 0 && !inSection(base, SEC_NAMES, load<u32>(r + CEXPR_NAMES_OFF), words * 4)) return IMG_BAD_RECORD;
  }
  // avtab: cond refs name an existing node; the keys live in the AV index (avtab.ts avIndexLoad)
  for (let k: u32 = 0; k < nav; k++) {
    const cond = load<u32>(base + secOff(base, SEC_AVTAB) + k * AV_REC_SIZE + AV_COND);
    if (cond != AV_UNCONDITIONAL && (cond >>> 1) >= ncond) return IMG_BAD_RECORD;
  }
  const idx = avIndexLoad(base, nt, nc, nav);
  if (idx != IMG_OK) return idx;
  if (!labelImageLoad(base, nt, nc, nr, ncond)) return IMG_BAD_RECORD;
  const hu = load<u32>(base + H_HANDLE_UNKNOWN);
  if (hu > HU_REJECT) return IMG_BAD_RECORD;
  if (load<u32>(base + H_PROCESS_CLASS) > nc) return IMG_BAD_RECORD;

  imgBase = base;
  seqno = load<u32>(base + H_SEQNO);
  mls = (load<u32>(base + H_FLAGS) & IMG_FLAG_MLS) != 0;
  labelsUsable = (load<u32>(base + H_FLAGS) & IMG_FLAG_NO_LABELS) == 0;
  handleUnknown = hu;
  ntypes = nt;
  nclasses = nc;
  nroles = nr;
  nusers = load<u32>(base + H_NUSERS);
  nconds = ncond;
  processClass = load<u32>(base + H_PROCESS_CLASS);
  processTrans = load<u32>(base + H_PROCESS_TRANS);
  roleWords = rw;
  typesBase = base + secOff(base, SEC_TYPES);
  classesBase = base + secOff(base, SEC_CLASSES);
  consBase = base + secOff(base, SEC_CONSTRAINTS);
  cexprBase = base + secOff(base, SEC_CEXPR);
  roleDomBase = base + secOff(base, SEC_ROLE_DOM);
  roleAllowBase = base + secOff(base, SEC_ROLE_ALLOW);
  avBase = base + secOff(base, SEC_AVTAB);
  condStateBase = base + secOff(base, SEC_COND_STATE);
  loaded = true;
  return IMG_OK;
}

/** the seqno decisions are stamped with (K latest_granting); bumped by TS on boolean changes */
export function setSeqno(s: u32): void {
  seqno = s;
  if (imgBase != 0) store<u32>(imgBase + H_SEQNO, s);
}

/** address of the TYPE_REC of type value v (1-based; caller guarantees 1..ntypes) */
// @ts-ignore: decorator
@inline
export function typeRec(v: u32): usize {
  return typesBase + <usize>(v - 1) * TYPE_REC_SIZE;
}
