/**
 * validatetrans / mlsvalidatetrans (K security/selinux/ss/services.c security_compute_validatetrans,
 * K constraint_expr_eval with an xcontext; S libsepol/src/services.c
 * sepol_validate_transition_reason_buffer).
 *
 * Every constraint of the class's one validatetrans list (validatetrans and mlsvalidatetrans
 * together, in policy order) is evaluated with context 1 = old, 2 = new, 3 = the task; the first
 * one that fails denies. No constraint → allowed. The third context is only reachable through
 * name sets (`u3`, `r3`, `t3` == / != names: CEXPR_NAMES with CEXPR_XTARGET); the kernel's
 * constraint language has no level operand for it (no `l3`/`h3`).
 *
 * The answer is the one userspace gets through selinuxfs `validatetrans`
 * (security_validate_transition_user): a failed constraint denies whatever the enforcing mode.
 */
import type { ConstraintDef, ContextValue, PolicyModel } from '../policy/model.js';
import { evalConstraintExpr } from './reference.js';

export interface ValidateTransOutcome {
  readonly allowed: boolean;
  /** the first failing constraint (undefined when allowed) */
  readonly failed?: ConstraintDef;
}

export function validateTransition(model: PolicyModel, oldc: ContextValue, newc: ContextValue, task: ContextValue, tclass: number): ValidateTransOutcome {
  const cls = model.classes[tclass - 1];
  if (!cls) return { allowed: false };
  for (const c of cls.validatetrans) {
    if (!evalConstraintExpr(model, c.expr, oldc, newc, task)) return { allowed: false, failed: c };
  }
  return { allowed: true };
}
