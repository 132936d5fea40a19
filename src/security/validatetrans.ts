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
import { sortedHas } from '../context/context.js';
import {
  CEXPR_AND,
  CEXPR_ATTR,
  CEXPR_EQ,
  CEXPR_MAX_DEPTH,
  CEXPR_NAMES,
  CEXPR_NEQ,
  CEXPR_NOT,
  CEXPR_OR,
  CEXPR_ROLE,
  CEXPR_TYPE,
  CEXPR_USER,
  CEXPR_XTARGET,
  type ConstraintDef,
  type ConstraintExprNode,
  type ContextValue,
  type PolicyModel,
} from '../policy/model.js';
import { evalConstraintLeaf } from './reference.js';

export interface ValidateTransOutcome {
  readonly allowed: boolean;
  /** the first failing constraint (undefined when allowed) */
  readonly failed?: ConstraintDef;
}

export function validateTransition(model: PolicyModel, oldc: ContextValue, newc: ContextValue, task: ContextValue, tclass: number): ValidateTransOutcome {
  const cls = model.classes[tclass - 1];
  if (!cls) return { allowed: false };
  for (const c of cls.validatetrans) {
    if (!evalValidatetrans(model, c.expr, oldc, newc, task)) return { allowed: false, failed: c };
  }
  return { allowed: true };
}

/** K constraint_expr_eval with xcontext = task: a bool stack of depth CEXPR_MAX_DEPTH; anything malformed is false. */
export function evalValidatetrans(model: PolicyModel, expr: readonly ConstraintExprNode[], oldc: ContextValue, newc: ContextValue, task: ContextValue): boolean {
  const stack: boolean[] = [];
  for (const node of expr) {
    switch (node.exprType) {
      case CEXPR_NOT:
        if (stack.length < 1) return false;
        stack.push(!stack.pop()!);
        break;
      case CEXPR_AND:
      case CEXPR_OR: {
        if (stack.length < 2) return false;
        const b = stack.pop()!;
        const a = stack.pop()!;
        stack.push(node.exprType === CEXPR_AND ? a && b : a || b);
        break;
      }
      case CEXPR_ATTR:
      case CEXPR_NAMES: {
        if (stack.length === CEXPR_MAX_DEPTH) return false;
        const v = node.exprType === CEXPR_NAMES && (node.attr & CEXPR_XTARGET) !== 0 ? taskNames(node, task) : evalConstraintLeaf(model, node, oldc, newc);
        if (v === undefined) return false;
        stack.push(v);
        break;
      }
      default:
        return false;
    }
  }
  return stack.length === 1 && stack[0] === true;
}

/** `u3`/`r3`/`t3` == / != names */
function taskNames(node: ConstraintExprNode, task: ContextValue): boolean | undefined {
  const v = node.attr & CEXPR_USER ? task.user : node.attr & CEXPR_ROLE ? task.role : node.attr & CEXPR_TYPE ? task.type : undefined;
  if (v === undefined) return undefined;
  const member = sortedHas(node.names ?? [], v);
  if (node.op === CEXPR_EQ) return member;
  if (node.op === CEXPR_NEQ) return !member;
  return undefined;
}
