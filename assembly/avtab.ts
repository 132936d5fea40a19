// The access-vector table (K ss/avtab.c): a hash over (class, target, source) with chains of
// AV_REC entries. Keys may name attributes; compute_av expands both sides through type_attr_map.
// Unconditional entries are merged per key by the image builder; conditional entries keep one
// record per (key, cond node, branch) and are applied only while enabled (cond.ts).
import { AV_ALLOWED, AV_AUDITALLOW, AV_AUDITDENY, AV_CLASS, AV_COND, AV_NEXT, AV_REC_SIZE, AV_SOURCE, AV_TARGET } from './layout';
import { avBase, avCount, avMask, avSlotsBase } from './policydb';
import { condEnabled } from './cond';

/** accumulators of one TE pass (allowed/auditallow OR-combined, auditdeny AND-combined) */
export let teAllowed: u32 = 0;
export let teAuditallow: u32 = 0;
export let teAuditdeny: u32 = 0xffffffff;

// @ts-ignore: decorator
@inline
function mix(h: u32, k: u32): u32 {
  let v = k * 0xcc9e2d51;
  v = rotl<u32>(v, 15);
  v *= 0x1b873593;
  h ^= v;
  h = rotl<u32>(h, 13);
  return h * 5 + 0xe6546b64;
}

/**
 * MurmurHash3-style mix of three u32 keys without length mixing (K include/hash.h av_hash, 6.19;
 * S avtab_hash uses the same scheme). Mirrored in src/policy/image.ts (avHash) and the AVC.
 */
// @ts-ignore: decorator
@inline
export function avHash(a: u32, b: u32, c: u32): u32 {
  let h: u32 = 0;
  h = mix(h, a);
  h = mix(h, b);
  h = mix(h, c);
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

export function teReset(): void {
  teAllowed = 0;
  teAuditallow = 0;
  teAuditdeny = 0xffffffff;
}

/** apply every enabled entry keyed (source, target, class) (K avtab_search_node + cond_compute_av) */
export function teApply(source: u32, target: u32, tclass: u32): void {
  let n = load<u32>(avSlotsBase + (<usize>(avHash(tclass, target, source) & avMask) << 2));
  let guard = avCount;
  while (n != 0 && guard-- != 0) {
    const e = avBase + <usize>(n - 1) * AV_REC_SIZE;
    if (load<u32>(e + AV_SOURCE) == source && load<u32>(e + AV_TARGET) == target && load<u32>(e + AV_CLASS) == tclass) {
      if (condEnabled(load<u32>(e + AV_COND))) {
        teAllowed |= load<u32>(e + AV_ALLOWED);
        teAuditallow |= load<u32>(e + AV_AUDITALLOW);
        teAuditdeny &= load<u32>(e + AV_AUDITDENY);
      }
    }
    n = load<u32>(e + AV_NEXT);
  }
}
