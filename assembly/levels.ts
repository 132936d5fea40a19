// Interned MLS levels for the new-object label result index (assembly/transition.ts): every
// distinct level (sensitivity + category set) gets a small id >= 1, so a computed context is the
// five numbers (user, role, type, low id, high id) and the index compares them without reading
// 288 bytes of SID record. Ids are content-addressed (exact comparison on insert) and do not
// depend on the policy; the per-SID ids are a cache over the SID records, dropped whenever a
// record may have changed (labelLevelsForget).
import { LEVEL_CATS, LEVEL_SENS, LEVEL_SIZE, LV_INITIAL, LV_MAX, SID_HIGH, SID_LOW, SID_REC_SIZE } from './layout';
import { alloc } from './memory';
import { levelEq } from './mls';
import { sidBase, sidCount } from './sidtab';

let lvBase: usize = 0;
let lvCap: u32 = 0;
let lvCount: u32 = 0;
/** {hash u32, id u32} open-addressing slots, id 0 = empty, at most half full */
let lvSlots: usize = 0;
let lvSlotCap: u32 = 0;
/** per SID: {low id, high id} (0 = not interned yet) */
let sidIds: usize = 0;
let sidIdsCap: u32 = 0;

/** the level record of id (1-based) */
// @ts-ignore: decorator
@inline
export function levelAt(id: u32): usize {
  return lvBase + <usize>(id - 1) * LEVEL_SIZE;
}

function levelHash(l: usize): u32 {
  let h: u64 = <u64>load<u32>(l + LEVEL_SENS) * 0x9e3779b97f4a7c15;
  for (let k: usize = 0; k < 128; k += 8) h = (h ^ load<u64>(l + LEVEL_CATS + k)) * 0xff51afd7ed558ccd;
  h ^= h >> 29;
  return <u32>(h ^ (h >> 32));
}

function slotInsert(slots: usize, cap: u32, h: u32, id: u32): void {
  let i = h & (cap - 1);
  while (load<u32>(slots + (<usize>i << 3) + 4) != 0) i = (i + 1) & (cap - 1);
  store<u32>(slots + (<usize>i << 3), h);
  store<u32>(slots + (<usize>i << 3) + 4, id);
}

/** room for one more level; false when full or out of memory */
function reserveLevel(): bool {
  if (lvCount >= LV_MAX) return false;
  if (lvCount >= lvCap) {
    const cap: u32 = lvCap == 0 ? LV_INITIAL : lvCap << 1;
    const p = alloc(<usize>cap * LEVEL_SIZE);
    if (p == 0) return false;
    if (lvBase != 0) memory.copy(p, lvBase, <usize>lvCount * LEVEL_SIZE);
    lvBase = p;
    lvCap = cap;
  }
  if ((lvCount + 1) * 2 > lvSlotCap) {
    const cap: u32 = lvSlotCap == 0 ? LV_INITIAL * 2 : lvSlotCap << 1;
    const p = alloc(<usize>cap << 3);
    if (p == 0) return false;
    memory.fill(p, 0, <usize>cap << 3);
    for (let id: u32 = 1; id <= lvCount; id++) slotInsert(p, cap, levelHash(levelAt(id)), id);
    lvSlots = p;
    lvSlotCap = cap;
  }
  return true;
}

/** the id of the level at `l` (interned on first sight), 0 when the table is full */
export function levelIntern(l: usize): u32 {
  const h = levelHash(l);
  if (lvSlotCap != 0) {
    let i = h & (lvSlotCap - 1);
    while (true) {
      const e = lvSlots + (<usize>i << 3);
      const id = load<u32>(e + 4);
      if (id == 0) break;
      if (load<u32>(e) == h && levelEq(levelAt(id), l)) return id;
      i = (i + 1) & (lvSlotCap - 1);
    }
  }
  if (!reserveLevel()) return 0;
  lvCount++;
  const d = levelAt(lvCount);
  store<u32>(d + LEVEL_SENS, load<u32>(l + LEVEL_SENS));
  memory.fill(d + 4, 0, LEVEL_CATS - 4);
  memory.copy(d + LEVEL_CATS, l + LEVEL_CATS, LEVEL_SIZE - LEVEL_CATS);
  slotInsert(lvSlots, lvSlotCap, h, lvCount);
  return lvCount;
}

/** the level id of a SID record's low (which 0) or high (1) level; 0 when the table is full */
export function sidLevelId(rec: usize, which: u32): u32 {
  const sid = <u32>((rec - sidBase) / SID_REC_SIZE);
  if (sid >= sidIdsCap) {
    let cap: u32 = sidIdsCap == 0 ? 1024 : sidIdsCap;
    while (cap <= sid || cap < sidCount) cap <<= 1;
    const p = alloc(<usize>cap << 3);
    if (p == 0) return levelIntern(rec + (which == 0 ? SID_LOW : SID_HIGH));
    memory.fill(p, 0, <usize>cap << 3);
    if (sidIds != 0) memory.copy(p, sidIds, <usize>sidIdsCap << 3);
    sidIds = p;
    sidIdsCap = cap;
  }
  const at = sidIds + (<usize>sid << 3) + (<usize>which << 2);
  let id = load<u32>(at);
  if (id == 0) {
    id = levelIntern(rec + (which == 0 ? SID_LOW : SID_HIGH));
    store<u32>(at, id);
  }
  return id;
}

/** drop the per-SID ids (SID records replaced or rewritten); the interned levels stay valid */
export function labelLevelsForget(): void {
  if (sidIds != 0) memory.fill(sidIds, 0, <usize>sidIdsCap << 3);
}
