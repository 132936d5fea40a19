// MLS level relations over LEVEL records {sens u32, pad, cats 128 bytes @16}
// (K ss/mls_types.h, S include/sepol/policydb/mls_types.h; docs/selinux-semantics.md).
import { LEVEL_CATS, LEVEL_SENS } from './layout';
import { catsContains, catsEqual } from './bitset';

/** l1 dom l2 ⇔ sens(l1) >= sens(l2) and cats(l2) ⊆ cats(l1) */
// @ts-ignore: decorator
@inline
export function levelDom(l1: usize, l2: usize): bool {
  return load<u32>(l1 + LEVEL_SENS) >= load<u32>(l2 + LEVEL_SENS) && catsContains(l1 + LEVEL_CATS, l2 + LEVEL_CATS);
}

/** l1 eq l2 ⇔ same sensitivity and same categories */
// @ts-ignore: decorator
@inline
export function levelEq(l1: usize, l2: usize): bool {
  return load<u32>(l1 + LEVEL_SENS) == load<u32>(l2 + LEVEL_SENS) && catsEqual(l1 + LEVEL_CATS, l2 + LEVEL_CATS);
}

/** neither dominates the other */
export function levelIncomp(l1: usize, l2: usize): bool {
  return !levelDom(l1, l2) && !levelDom(l2, l1);
}

/** range (lo1, hi1) ⊇ (lo2, hi2) ⇔ lo2 dom lo1 and hi1 dom hi2 (K mls_range_contains) */
export function rangeContains(lo1: usize, hi1: usize, lo2: usize, hi2: usize): bool {
  return levelDom(lo2, lo1) && levelDom(hi1, hi2);
}
