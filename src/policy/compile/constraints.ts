/**
 * constrain / mlsconstrain / validatetrans / mlsvalidatetrans → ConstraintDef per class
 * (S checkpolicy/policy_define.c define_constraint, define_cexpr; S libsepol expand.c, which
 * expands constraint type names with alwaysexpand=1).
 *
 * The expression is already postfix (parser.ts). NAMES nodes get user/role values or primary type
 * values (attributes replaced by their members), sorted, plus the names as written. The evaluation
 * stack may not exceed CEXPR_MAX_DEPTH, as checkpolicy enforces.
 */
import { excludedAt, nameAt, type ConstrainStmt, type ConstraintAstNode } from '../ast.js';
import {
  CEXPR_AND,
  CEXPR_ATTR,
  CEXPR_L1L2,
  CEXPR_MAX_DEPTH,
  CEXPR_NAMES,
  CEXPR_NOT,
  CEXPR_OR,
  CEXPR_ROLE,
  CEXPR_TYPE,
  CEXPR_USER,
  type ConstraintExprNode,
} from '../model.js';
import { classMask, expandClassSet, expandRoleSet, expandTypeSet } from './sets.js';
import { sortedUnique, type CompileState } from './state.js';

export function compileConstraint(st: CompileState, s: ConstrainStmt): void {
  const mls = s.kind === 'mlsconstrain' || s.kind === 'mlsvalidatetrans';
  if (mls && !st.model.mls) {
    st.error(s.pos, `${s.kind} needs an MLS policy (no sensitivities are declared)`);
    return;
  }
  const classes = expandClassSet(st, s.classes);
  const expr = compileExpr(st, s.expr);
  if (!classes || !expr) return;
  const loc = st.loc(s.pos);
  for (const c of classes) {
    if (s.perms) {
      let mask = 0;
      let ok = true;
      for (let i = 0; i < s.perms.names.length; i++) {
        const p = nameAt(s.perms, i);
        const bit = c.permBits.get(p.name);
        if (bit === undefined) {
          st.error(p.pos, `permission '${p.name}' is not defined for class '${c.def.name}'`);
          ok = false;
        } else mask |= 1 << bit;
      }
      if (s.perms.excluded.length > 0) {
        st.error(excludedAt(s.perms, 0).pos, `'-' is not allowed in a permission set`);
        ok = false;
      }
      if (!ok) continue;
      if (s.perms.star) mask = classMask(c);
      else if (s.perms.complement) mask = ~mask & classMask(c);
      mask >>>= 0;
      if (mask === 0) continue;
      c.def.constraints.push({ perms: mask, expr, mls, loc });
    } else {
      c.def.validatetrans.push({ perms: 0, expr, mls, loc });
    }
  }
}

function compileExpr(st: CompileState, nodes: readonly ConstraintAstNode[]): ConstraintExprNode[] | undefined {
  const out: ConstraintExprNode[] = [];
  let ok = true;
  let depth = 0;
  for (const n of nodes) {
    switch (n.exprType) {
      case CEXPR_NOT:
        out.push({ exprType: CEXPR_NOT, attr: 0, op: 0 });
        break;
      case CEXPR_AND:
      case CEXPR_OR:
        out.push({ exprType: n.exprType, attr: 0, op: 0 });
        depth--;
        break;
      case CEXPR_ATTR:
        if (n.attr >= CEXPR_L1L2 && !st.model.mls) {
          st.error(n.pos, `level comparisons need an MLS policy (no sensitivities are declared)`);
          ok = false;
        }
        out.push({ exprType: CEXPR_ATTR, attr: n.attr, op: n.op });
        depth = push(st, n, depth);
        if (depth < 0) return undefined;
        break;
      case CEXPR_NAMES: {
        const set = n.names!;
        let names: number[] | undefined;
        if (n.attr & CEXPR_USER) {
          const vals: number[] = [];
          for (let i = 0; i < set.names.length; i++) {
            const u = st.user(nameAt(set, i));
            if (u) vals.push(u.value);
            else ok = false;
          }
          names = sortedUnique(vals);
        } else if (n.attr & CEXPR_ROLE) {
          names = expandRoleSet(st, set);
        } else if (n.attr & CEXPR_TYPE) {
          names = expandTypeSet(st, set, true, false)?.values;
        }
        if (!names) ok = false;
        out.push({ exprType: CEXPR_NAMES, attr: n.attr, op: n.op, names: names ?? [], written: [...set.names] });
        depth = push(st, n, depth);
        if (depth < 0) return undefined;
        break;
      }
      default:
        st.error(n.pos, `malformed constraint expression`);
        return undefined;
    }
  }
  return ok ? out : undefined;
}

/** one more operand on the evaluation stack; -1 after reporting when it would exceed the limit */
function push(st: CompileState, n: ConstraintAstNode, depth: number): number {
  if (depth === CEXPR_MAX_DEPTH) {
    st.error(n.pos, `constraint expression is too deep (more than ${CEXPR_MAX_DEPTH} operands pending)`);
    return -1;
  }
  return depth + 1;
}
