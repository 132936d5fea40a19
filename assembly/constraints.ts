// constrain / mlsconstrain evaluation (K ss/services.c constraint_expr_eval): a postfix stack
// machine over bools with depth CEXPR_MAXDEPTH (5). Operands compare the source (1) and target (2)
// contexts; the bounds pass substitutes the types. Anything malformed - stack overflow or
// underflow, an unknown node kind, attribute or operator, an `xcontext` operand (validatetrans
// only), a final depth other than 1 - makes the expression false, which denies the constrained
// permissions (fail closed, as the kernel's BUG() paths return 0).
import {
  CEXPR_ATTR, CEXPR_MAXDEPTH, CEXPR_NAMES_OFF, CEXPR_NAMES_WORDS, CEXPR_OP, CEXPR_REC_SIZE, CEXPR_TYPE,
  SID_HIGH, SID_LOW, SID_ROLE, SID_USER,
} from './layout';
import { cexprBase, imgBase, mls, nroles, roleDomBase, roleWords } from './policydb';
import { bitsetHas } from './bitset';
import { levelDom, levelEq, levelIncomp } from './mls';

// expression node kinds, attributes and operators (S include/sepol/policydb/constraint.h)
const X_NOT: u32 = 1;
const X_AND: u32 = 2;
const X_OR: u32 = 3;
const X_ATTR: u32 = 4;
const X_NAMES: u32 = 5;
const A_USER: u32 = 1;
const A_ROLE: u32 = 2;
const A_TYPE: u32 = 4;
const A_TARGET: u32 = 8;
const A_XTARGET: u32 = 16;
const A_L1L2: u32 = 32;
const A_L1H2: u32 = 64;
const A_H1L2: u32 = 128;
const A_H1H2: u32 = 256;
const A_L1H1: u32 = 512;
const A_L2H2: u32 = 1024;
const OP_EQ: u32 = 1;
const OP_NEQ: u32 = 2;
const OP_DOM: u32 = 3;
const OP_DOMBY: u32 = 4;
const OP_INCOMP: u32 = 5;

/** -1 = malformed (also: a level operand in a non-MLS policy, which has no levels to compare) */
function levelOp(op: u32, l1: usize, l2: usize): i32 {
  if (!mls) return -1;
  if (op == OP_EQ) return levelEq(l1, l2) ? 1 : 0;
  if (op == OP_NEQ) return levelEq(l1, l2) ? 0 : 1;
  if (op == OP_DOM) return levelDom(l1, l2) ? 1 : 0;
  if (op == OP_DOMBY) return levelDom(l2, l1) ? 1 : 0;
  if (op == OP_INCOMP) return levelIncomp(l1, l2) ? 1 : 0;
  return -1;
}

/** r1 dominates r2: bit (r2 - 1) of role r1's dominates bitset */
function roleDom(r1: u32, r2: u32): bool {
  if (r1 == 0 || r1 > nroles) return false;
  return bitsetHas(roleDomBase + <usize>(r1 - 1) * roleWords * 4, roleWords, r2);
}

function evalAttr(attr: u32, op: u32, s: usize, stype: u32, t: usize, ttype: u32): i32 {
  let v1: u32 = 0;
  let v2: u32 = 0;
  if (attr == A_USER) {
    v1 = load<u32>(s + SID_USER);
    v2 = load<u32>(t + SID_USER);
  } else if (attr == A_TYPE) {
    v1 = stype;
    v2 = ttype;
  } else if (attr == A_ROLE) {
    v1 = load<u32>(s + SID_ROLE);
    v2 = load<u32>(t + SID_ROLE);
    if (op == OP_DOM) return roleDom(v1, v2) ? 1 : 0;
    if (op == OP_DOMBY) return roleDom(v2, v1) ? 1 : 0;
    if (op == OP_INCOMP) return !roleDom(v1, v2) && !roleDom(v2, v1) ? 1 : 0;
  } else if (attr == A_L1L2) {
    return levelOp(op, s + SID_LOW, t + SID_LOW);
  } else if (attr == A_L1H2) {
    return levelOp(op, s + SID_LOW, t + SID_HIGH);
  } else if (attr == A_H1L2) {
    return levelOp(op, s + SID_HIGH, t + SID_LOW);
  } else if (attr == A_H1H2) {
    return levelOp(op, s + SID_HIGH, t + SID_HIGH);
  } else if (attr == A_L1H1) {
    return levelOp(op, s + SID_LOW, s + SID_HIGH);
  } else if (attr == A_L2H2) {
    return levelOp(op, t + SID_LOW, t + SID_HIGH);
  } else {
    return -1;
  }
  if (op == OP_EQ) return v1 == v2 ? 1 : 0;
  if (op == OP_NEQ) return v1 != v2 ? 1 : 0;
  return -1;
}

function evalNames(node: usize, attr: u32, op: u32, s: usize, stype: u32, t: usize, ttype: u32): i32 {
  if ((attr & A_XTARGET) != 0 && (attr & A_TARGET) == 0) return -1; // no xcontext in compute_av
  const c = (attr & A_TARGET) != 0 ? t : s;
  let v: u32 = 0;
  if ((attr & A_USER) != 0) v = load<u32>(c + SID_USER);
  else if ((attr & A_ROLE) != 0) v = load<u32>(c + SID_ROLE);
  else if ((attr & A_TYPE) != 0) v = (attr & A_TARGET) != 0 ? ttype : stype;
  else return -1;
  const words = load<u32>(node + CEXPR_NAMES_WORDS);
  const has = words != 0 && bitsetHas(imgBase + load<u32>(node + CEXPR_NAMES_OFF), words, v);
  if (op == OP_EQ) return has ? 1 : 0;
  if (op == OP_NEQ) return has ? 0 : 1;
  return -1;
}

/** evaluate `count` postfix nodes starting at index `first`; true = the constraint holds */
export function constraintHolds(first: u32, count: u32, s: usize, stype: u32, t: usize, ttype: u32): bool {
  let stack: u32 = 0; // bit k = stack slot k
  let sp: i32 = -1;
  for (let k: u32 = 0; k < count; k++) {
    const node = cexprBase + <usize>(first + k) * CEXPR_REC_SIZE;
    const kind = load<u32>(node + CEXPR_TYPE);
    if (kind == X_NOT) {
      if (sp < 0) return false;
      stack ^= <u32>1 << sp;
    } else if (kind == X_AND || kind == X_OR) {
      if (sp < 1) return false;
      const a = (stack >>> sp) & 1;
      const b = (stack >>> (sp - 1)) & 1;
      sp--;
      const r = kind == X_AND ? a & b : a | b;
      stack = (stack & ~(<u32>1 << sp)) | (r << sp);
    } else if (kind == X_ATTR || kind == X_NAMES) {
      if (sp == <i32>CEXPR_MAXDEPTH - 1) return false;
      const attr = load<u32>(node + CEXPR_ATTR);
      const op = load<u32>(node + CEXPR_OP);
      const r = kind == X_ATTR ? evalAttr(attr, op, s, stype, t, ttype) : evalNames(node, attr, op, s, stype, t, ttype);
      if (r < 0) return false;
      sp++;
      stack = (stack & ~(<u32>1 << sp)) | (<u32>r << sp);
    } else {
      return false;
    }
  }
  return sp == 0 && (stack & 1) != 0;
}
