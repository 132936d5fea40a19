// Conditional (boolean) avtab entries (K ss/conditional.c cond_compute_av): every entry carries
// the cond node it belongs to and its branch; the node's state (COND_TRUE / COND_FALSE /
// COND_NONE for a malformed expression) is written by TS after evaluating the expressions
// (src/security/reference.ts condStates). An entry applies iff its branch is the active one,
// which is exactly the kernel's AVTAB_ENABLED bit.
import { AV_UNCONDITIONAL } from './layout';
import { condStateBase } from './policydb';

// @ts-ignore: decorator
@inline
export function condEnabled(ref: u32): bool {
  if (ref == AV_UNCONDITIONAL) return true;
  // COND_TRUE (1) enables branch 1, COND_FALSE (0) enables branch 0, COND_NONE (2) neither
  return load<u32>(condStateBase + (<usize>(ref >>> 1) << 2)) == (ref & 1);
}
