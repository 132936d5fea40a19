/**
 * The reference security server: plain TypeScript, slow and obviously correct, the oracle the Wasm
 * engine is tested against. It follows K ss/services.c:context_struct_compute_av step by step
 * (docs/selinux-semantics.md):
 *
 *   1. class 0 or > nclasses → nothing allowed;
 *   2. TE: for every (s', t') in typeAttrMap(s) × typeAttrMap(t): unconditional avtab entries, then
 *      conditional entries whose branch is enabled (allowed |=, auditallow |=, auditdeny &=);
 *   3. constraints of the class in order: a constraint covering an allowed perm whose expression is
 *      false removes its perms;
 *   4. class `process`, allowed ∩ {transition, dyntransition} ≠ ∅, roles differ, no `allow r1 r2`
 *      → remove transition|dyntransition;
 *   5. typebounds: if the source type has a bounding type, recompute for (bound, target's bound or
 *      target) and keep only what the parent is allowed.
 *
 * Reason bits follow libsepol's context_struct_compute_av (S libsepol/src/services.c): after each
 * stage, requested bits that stage removed set TE / CONS / RBAC / BOUNDS and are dropped from
 * `requested`; BOUNDS is set whenever typebounds masked any bit, requested or not (as libsepol's
 * type_attribute_bounds_av does), so a granted request may still carry BOUNDS.
 *
 * Fail closed: malformed expressions evaluate to false (constraints) or disable both branches
 * (conditionals); unknown values in a context allow nothing.
 */
import { levelDom, levelEq, levelIncomp } from '../context/mls.js';
import { sortedHas } from '../context/context.js';
import { unknownBool } from '../errors.js';
import {
  AVTAB_ALLOWED,
  AVTAB_AUDITALLOW,
  AVTAB_AUDITDENY,
  CEXPR_AND,
  CEXPR_ATTR,
  CEXPR_DOM,
  CEXPR_DOMBY,
  CEXPR_EQ,
  CEXPR_H1H2,
  CEXPR_H1L2,
  CEXPR_INCOMP,
  CEXPR_L1H1,
  CEXPR_L1H2,
  CEXPR_L1L2,
  CEXPR_L2H2,
  CEXPR_MAX_DEPTH,
  CEXPR_NAMES,
  CEXPR_NEQ,
  CEXPR_NOT,
  CEXPR_OR,
  CEXPR_ROLE,
  CEXPR_TARGET,
  CEXPR_TYPE,
  CEXPR_USER,
  CEXPR_XTARGET,
  COND_AND,
  COND_BOOL,
  COND_EQ,
  COND_MAX_DEPTH,
  COND_NEQ,
  COND_NOT,
  COND_OR,
  COND_XOR,
  type AvEntry,
  type CondExprToken,
  type ConstraintExprNode,
  type ContextValue,
  type MlsLevel,
  type PolicyModel,
} from '../policy/model.js';
import { AVD_FLAGS_PERMISSIVE, REASON_BOUNDS, REASON_CONS, REASON_RBAC, REASON_TE, type ReasonedDecision } from '../types.js';

const ALL_ONES = 0xffffffff;

/**
 * K POLICYDB_BOUNDS_MAXDEPTH: the kernel refuses to load a policy whose typebounds chain is deeper.
 * A deeper chain (or a cycle) reaching this evaluator masks everything (fail closed).
 */
export const BOUNDS_MAX_DEPTH = 4;

// ───────────────────────────── conditional expressions ─────────────────────────────

/**
 * Evaluate one postfix boolean expression (S conditional.c:cond_evaluate_expr): 1 true, 0 false,
 * -1 malformed (stack over/underflow past COND_MAX_DEPTH, unknown operator or boolean, empty, or a
 * final stack that does not hold exactly one value — the kernel would return its bottom; we refuse).
 * `boolStates[v - 1]` is the state of boolean v; a missing entry falls back to the policy default.
 */
export function evaluateCondExpr(model: PolicyModel, expr: readonly CondExprToken[], boolStates: readonly boolean[]): -1 | 0 | 1 {
  const stack: boolean[] = [];
  for (const tok of expr) {
    switch (tok.op) {
      case COND_BOOL: {
        if (stack.length === COND_MAX_DEPTH) return -1;
        const def = model.bools[tok.bool - 1];
        if (!def) return -1;
        stack.push(boolStates[tok.bool - 1] ?? def.defaultState);
        break;
      }
      case COND_NOT: {
        if (stack.length < 1) return -1;
        stack.push(!stack.pop()!);
        break;
      }
      case COND_OR:
      case COND_AND:
      case COND_XOR:
      case COND_EQ:
      case COND_NEQ: {
        if (stack.length < 2) return -1;
        const b = stack.pop()!;
        const a = stack.pop()!;
        stack.push(
          tok.op === COND_OR ? a || b : tok.op === COND_AND ? a && b : tok.op === COND_EQ ? a === b : a !== b, // XOR and NEQ agree on booleans
        );
        break;
      }
      default:
        return -1;
    }
  }
  if (stack.length !== 1) return -1;
  return stack[0] ? 1 : 0;
}

/** Per cond node: 1 = true list enabled, 0 = false list enabled, -1 = both disabled (malformed). */
export function condResults(model: PolicyModel, boolStates: readonly boolean[]): Int8Array {
  const out = new Int8Array(model.conds.length);
  model.conds.forEach((node, i) => {
    out[i] = evaluateCondExpr(model, node.expr, boolStates);
  });
  return out;
}

/**
 * Per cond node: is the true branch active. A malformed node reads false here although its false
 * branch is disabled too — use condResults when the three states matter.
 */
export function condStates(model: PolicyModel, boolStates: readonly boolean[]): boolean[] {
  return Array.from(condResults(model, boolStates), (r) => r > 0);
}

/** Is an entry of cond node `node`'s list `branch` enabled under `results`? */
export function condBranchEnabled(results: Int8Array, node: number, branch: boolean): boolean {
  const r = results[node] ?? -1;
  return branch ? r === 1 : r === 0;
}

// ───────────────────────────── TE lookup ─────────────────────────────

/** One avtab entry matching a key; `cond` says which conditional list it comes from. */
export interface AvMatch {
  readonly entry: AvEntry;
  readonly cond?: { readonly node: number; readonly branch: boolean };
}

interface AvIndex {
  readonly avtabLength: number;
  readonly condsLength: number;
  readonly byKey: Map<string, AvMatch[]>;
}

/** Lookup index per model object, rebuilt if the avtab or cond list changes length. */
const indexCache = new WeakMap<PolicyModel, AvIndex>();

function avIndex(model: PolicyModel): AvIndex {
  const cached = indexCache.get(model);
  if (cached && cached.avtabLength === model.avtab.length && cached.condsLength === model.conds.length) return cached;
  const byKey = new Map<string, AvMatch[]>();
  const add = (m: AvMatch): void => {
    const k = avKey(m.entry.source, m.entry.target, m.entry.tclass);
    const list = byKey.get(k);
    if (list) list.push(m);
    else byKey.set(k, [m]);
  };
  for (const entry of model.avtab) add({ entry });
  model.conds.forEach((node, i) => {
    for (const entry of node.trueList) add({ entry, cond: { node: i, branch: true } });
    for (const entry of node.falseList) add({ entry, cond: { node: i, branch: false } });
  });
  const built = { avtabLength: model.avtab.length, condsLength: model.conds.length, byKey };
  indexCache.set(model, built);
  return built;
}

function avKey(source: number, target: number, tclass: number): string {
  return `${source}:${target}:${tclass}`;
}

/** Every avtab entry (unconditional and conditional, enabled or not) for one exact key. */
export function avtabLookup(model: PolicyModel, source: number, target: number, tclass: number): readonly AvMatch[] {
  return avIndex(model).byKey.get(avKey(source, target, tclass)) ?? [];
}

export interface TeVector {
  allowed: number;
  auditallow: number;
  auditdeny: number;
}

/** Step 2: TE over typeAttrMap(stype) × typeAttrMap(ttype), conditional entries only when enabled. */
export function teCompute(model: PolicyModel, stype: number, ttype: number, tclass: number, results: Int8Array): TeVector {
  const av: TeVector = { allowed: 0, auditallow: 0, auditdeny: ALL_ONES };
  const sattrs = model.typeAttrMap[stype - 1] ?? [];
  const tattrs = model.typeAttrMap[ttype - 1] ?? [];
  for (const s of sattrs) {
    for (const t of tattrs) {
      for (const m of avtabLookup(model, s, t, tclass)) {
        if (m.cond && !condBranchEnabled(results, m.cond.node, m.cond.branch)) continue;
        const e = m.entry;
        if (e.specified === AVTAB_ALLOWED) av.allowed = (av.allowed | e.data) >>> 0;
        else if (e.specified === AVTAB_AUDITALLOW) av.auditallow = (av.auditallow | e.data) >>> 0;
        else if (e.specified === AVTAB_AUDITDENY) av.auditdeny = (av.auditdeny & e.data) >>> 0;
      }
    }
  }
  return av;
}

// ───────────────────────────── constraints ─────────────────────────────

/** The two levels an MLS ATTR node compares (K constraint_expr_eval); undefined for other attrs. */
export function constraintLevels(attr: number, scon: ContextValue, tcon: ContextValue): [MlsLevel, MlsLevel] | undefined {
  const s = scon.range;
  const t = tcon.range;
  if (!s || !t) return undefined;
  switch (attr) {
    case CEXPR_L1L2:
      return [s.low, t.low];
    case CEXPR_L1H2:
      return [s.low, t.high];
    case CEXPR_H1L2:
      return [s.high, t.low];
    case CEXPR_H1H2:
      return [s.high, t.high];
    case CEXPR_L1H1:
      return [s.low, s.high];
    case CEXPR_L2H2:
      return [t.low, t.high];
    default:
      return undefined;
  }
}

/**
 * Value of one ATTR or NAMES leaf, or undefined when the kernel would bail out of the whole
 * expression with "false" (BUG: unknown attr/op, XTARGET without an xcontext, missing MLS range).
 * `xcontext` is the third context of validatetrans (the task: `u3`/`r3`/`t3`); compute_av has none.
 */
export function evalConstraintLeaf(model: PolicyModel, node: ConstraintExprNode, scon: ContextValue, tcon: ContextValue, xcontext?: ContextValue): boolean | undefined {
  if (node.exprType === CEXPR_NAMES) {
    const c = node.attr & CEXPR_XTARGET ? xcontext : node.attr & CEXPR_TARGET ? tcon : scon;
    if (c === undefined) return undefined;
    const v = node.attr & CEXPR_USER ? c.user : node.attr & CEXPR_ROLE ? c.role : node.attr & CEXPR_TYPE ? c.type : undefined;
    if (v === undefined) return undefined;
    const member = sortedHas(node.names ?? [], v);
    if (node.op === CEXPR_EQ) return member;
    if (node.op === CEXPR_NEQ) return !member;
    return undefined;
  }
  if (node.exprType !== CEXPR_ATTR) return undefined;
  switch (node.attr) {
    case CEXPR_USER:
    case CEXPR_TYPE: {
      const a = node.attr === CEXPR_USER ? scon.user : scon.type;
      const b = node.attr === CEXPR_USER ? tcon.user : tcon.type;
      if (node.op === CEXPR_EQ) return a === b;
      if (node.op === CEXPR_NEQ) return a !== b;
      return undefined;
    }
    case CEXPR_ROLE: {
      const r1 = model.roles[scon.role - 1];
      const r2 = model.roles[tcon.role - 1];
      if (!r1 || !r2) return undefined;
      switch (node.op) {
        case CEXPR_EQ:
          return scon.role === tcon.role;
        case CEXPR_NEQ:
          return scon.role !== tcon.role;
        case CEXPR_DOM:
          return sortedHas(r1.dominates, r2.value);
        case CEXPR_DOMBY:
          return sortedHas(r2.dominates, r1.value);
        case CEXPR_INCOMP:
          return !sortedHas(r1.dominates, r2.value) && !sortedHas(r2.dominates, r1.value);
        default:
          return undefined;
      }
    }
    default: {
      const levels = constraintLevels(node.attr, scon, tcon);
      if (!levels) return undefined;
      const [l1, l2] = levels;
      switch (node.op) {
        case CEXPR_EQ:
          return levelEq(l1, l2);
        case CEXPR_NEQ:
          return !levelEq(l1, l2);
        case CEXPR_DOM:
          return levelDom(l1, l2);
        case CEXPR_DOMBY:
          return levelDom(l2, l1);
        case CEXPR_INCOMP:
          return levelIncomp(l1, l2);
        default:
          return undefined;
      }
    }
  }
}

/**
 * Evaluate a postfix constraint expression (K constraint_expr_eval) with a bool stack of depth
 * CEXPR_MAX_DEPTH. Pushing onto a full stack, an underflow, an unknown node and a final stack that
 * does not hold exactly one value all give false (deny).
 */
export function evalConstraintExpr(model: PolicyModel, expr: readonly ConstraintExprNode[], scon: ContextValue, tcon: ContextValue, xcontext?: ContextValue): boolean {
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
        const v = evalConstraintLeaf(model, node, scon, tcon, xcontext);
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

// ───────────────────────────── compute_av ─────────────────────────────

/** Mask of `process:transition | process:dyntransition` for class `tclass`, 0 if it is not `process`. */
export function processTransMask(model: PolicyModel, tclass: number): number {
  const cls = model.classes[tclass - 1];
  if (!cls || cls.name !== 'process') return 0;
  let mask = 0;
  cls.perms.forEach((p, bit) => {
    if (p === 'transition' || p === 'dyntransition') mask |= 1 << bit;
  });
  return mask >>> 0;
}

export function roleAllowed(model: PolicyModel, from: number, to: number): boolean {
  return model.roleAllows.some(([a, b]) => a === from && b === to);
}

/** The stages of one computation, for explain: what each stage removed from `allowed`. */
export interface AvStages {
  te: TeVector;
  /** allowed bits removed by constraints */
  consMasked: number;
  /** allowed bits removed by the role-allow check */
  rbacMasked: number;
  /** allowed bits removed by typebounds */
  boundsMasked: number;
  allowed: number;
  reason: number;
}

function contextsUsable(model: PolicyModel, c: ContextValue): boolean {
  return model.users[c.user - 1] !== undefined && model.roles[c.role - 1] !== undefined && model.types[c.type - 1] !== undefined;
}

/** K context_struct_compute_av, with the per-stage masks recorded. */
export function computeAvStages(
  model: PolicyModel,
  scon: ContextValue,
  tcon: ContextValue,
  tclass: number,
  results: Int8Array,
  requested: number,
  depth = 0,
): AvStages {
  let req = requested >>> 0;
  const none: AvStages = { te: { allowed: 0, auditallow: 0, auditdeny: ALL_ONES }, consMasked: 0, rbacMasked: 0, boundsMasked: 0, allowed: 0, reason: req ? REASON_TE : 0 };
  const cls = model.classes[tclass - 1];
  if (!Number.isInteger(tclass) || tclass < 1 || !cls) return none;
  if (!contextsUsable(model, scon) || !contextsUsable(model, tcon)) return none;

  let reason = 0;
  const te = teCompute(model, scon.type, tcon.type, tclass, results);
  let allowed = te.allowed;
  if (req & ~allowed) {
    reason |= REASON_TE;
    req = (req & allowed) >>> 0;
  }

  const beforeCons = allowed;
  for (const c of cls.constraints) {
    if ((c.perms & allowed) !== 0 && !evalConstraintExpr(model, c.expr, scon, tcon)) allowed = (allowed & ~c.perms) >>> 0;
  }
  const consMasked = (beforeCons & ~allowed) >>> 0;
  if (req & ~allowed) {
    reason |= REASON_CONS;
    req = (req & allowed) >>> 0;
  }

  const trans = processTransMask(model, tclass);
  let rbacMasked = 0;
  if ((allowed & trans) !== 0 && scon.role !== tcon.role && !roleAllowed(model, scon.role, tcon.role)) {
    rbacMasked = (allowed & trans) >>> 0;
    allowed = (allowed & ~trans) >>> 0;
  }
  if (req & ~allowed) {
    reason |= REASON_RBAC;
    req = (req & allowed) >>> 0;
  }

  let boundsMasked = 0;
  const parent = model.types[scon.type - 1]!.bounds;
  if (parent) {
    let parentAllowed = 0;
    if (depth < BOUNDS_MAX_DEPTH) {
      const tbound = model.types[tcon.type - 1]!.bounds;
      const loS: ContextValue = { ...scon, type: parent };
      const loT: ContextValue = tbound ? { ...tcon, type: tbound } : tcon;
      parentAllowed = computeAvStages(model, loS, loT, tclass, results, 0, depth + 1).allowed;
    }
    boundsMasked = (allowed & ~parentAllowed) >>> 0;
    allowed = (allowed & ~boundsMasked) >>> 0;
    if (boundsMasked) reason |= REASON_BOUNDS; // libsepol: any masked bit, requested or not
  }

  return { te, consMasked, rbacMasked, boundsMasked, allowed, reason };
}

/**
 * The reference decision: allowed/auditallow/auditdeny as the kernel computes them, flags =
 * PERMISSIVE when the source type is a permissive domain, seqno 0, and libsepol's reason bits for
 * `requested` (0 when nothing was requested or everything requested is allowed). An unknown class or
 * a context with unknown values allows nothing (reason TE for any requested bit).
 */
export function referenceComputeAv(
  model: PolicyModel,
  scon: ContextValue,
  tcon: ContextValue,
  tclass: number,
  boolStates: readonly boolean[],
  requested = 0,
): ReasonedDecision {
  const flags = model.types[scon.type - 1]?.permissive ? AVD_FLAGS_PERMISSIVE : 0;
  const stages = computeAvStages(model, scon, tcon, tclass, condResults(model, boolStates), requested);
  return {
    allowed: stages.allowed,
    auditallow: stages.te.auditallow,
    auditdeny: stages.te.auditdeny,
    seqno: 0,
    flags,
    reason: stages.reason,
  };
}

/** Boolean states (index = value - 1) from the policy defaults plus name overrides. */
export function defaultBoolStates(model: PolicyModel, overrides: Readonly<Record<string, boolean>> = {}): boolean[] {
  for (const name of Object.keys(overrides)) if (!model.bools.some((b) => b.name === name)) throw unknownBool(name);
  // own keys only: a boolean named `toString` or `constructor` must not read Object.prototype's
  return model.bools.map((b) => (Object.hasOwn(overrides, b.name) ? overrides[b.name]! : b.defaultState));
}
