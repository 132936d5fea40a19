/**
 * MLS level and range relations (S include/sepol/policydb/mls_types.h, K ss/mls_types.h;
 * docs/selinux-semantics.md).
 *
 * A level is (sensitivity value, category set); sensitivity values are ordered by dominance (1 is the
 * lowest). These are pure functions over the model's MlsLevel/MlsRange: no policy needed.
 */
import type { MlsLevel, MlsRange } from '../policy/model.js';

/** a dom b ⇔ a.sens >= b.sens and cats(b) ⊆ cats(a) */
export function levelDom(a: MlsLevel, b: MlsLevel): boolean {
  return a.sens >= b.sens && a.cats.contains(b.cats);
}

/** a eq b ⇔ same sensitivity and same category set */
export function levelEq(a: MlsLevel, b: MlsLevel): boolean {
  return a.sens === b.sens && a.cats.equals(b.cats);
}

/** a incomp b ⇔ neither dominates the other */
export function levelIncomp(a: MlsLevel, b: MlsLevel): boolean {
  return !levelDom(a, b) && !levelDom(b, a);
}

/** outer ⊇ inner ⇔ inner.low dom outer.low and outer.high dom inner.high (K mls_range_contains) */
export function rangeContains(outer: MlsRange, inner: MlsRange): boolean {
  return levelDom(inner.low, outer.low) && levelDom(outer.high, inner.high);
}
