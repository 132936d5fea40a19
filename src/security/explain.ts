/**
 * explainAccess: audit2why, sharper — for `svirt check`. For each denied requested permission it
 * names the stage of compute_av that removed it (the reference evaluator's stages, so the words can
 * never disagree with the reference decision) and prints the evidence:
 *
 * - TE: the source/target types and attributes searched, and the allow rule that would grant it;
 *   plus the disabled booleans whose conditional allow rules would (name and needed value);
 * - CONS: each failing constraint as policy text, with the value of every operand;
 * - RBAC: the missing `allow r1 r2;`;
 * - BOUNDS: the bounding type and what it may not do;
 * - dontaudit rules that hide the denial from the audit log; permissive domains.
 *
 * `allowed` is the policy verdict (every requested bit in `allowed`), regardless of permissive mode.
 */
import { formatContext, formatLevel, categoryName } from '../context/context.js';
import { formatCategories } from '../context/categories.js';
import { levelDom } from '../context/mls.js';
import {
  AVTAB_ALLOWED,
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
  CEXPR_NAMES,
  CEXPR_NEQ,
  CEXPR_NOT,
  CEXPR_OR,
  CEXPR_ROLE,
  CEXPR_TARGET,
  CEXPR_TYPE,
  CEXPR_USER,
  CEXPR_XTARGET,
  COND_BOOL,
  type ClassDef,
  type ConstraintDef,
  type ConstraintExprNode,
  type ContextValue,
  type MlsLevel,
  type PolicyModel,
} from '../policy/model.js';
import type { DenyReason } from '../types.js';
import {
  avtabLookup,
  computeAvStages,
  condBranchEnabled,
  condResults,
  constraintLevels,
  evalConstraintExpr,
  evalConstraintLeaf,
  evaluateCondExpr,
  type AvMatch,
} from './reference.js';
import { REASON_BOUNDS, REASON_CONS, REASON_RBAC, REASON_TE } from '../types.js';
import { requestError } from '../wasm/args.js';

export interface Explanation {
  /** every requested permission is allowed by the policy */
  allowed: boolean;
  /** the compute_av stages that removed requested permissions, in kernel order */
  reasons: DenyReason[];
  /** booleans whose conditional allow rules would grant a TE-denied requested permission */
  boolsThatWouldGrant: string[];
  /** what `svirt check` prints */
  lines: string[];
}

export function explainAccess(
  model: PolicyModel,
  scon: ContextValue,
  tcon: ContextValue,
  tclass: number,
  requested: number,
  boolStates: readonly boolean[],
): Explanation {
  // a request that is not a non-zero u32 would be wrapped (2^32 + read explained as read) or read as
  // "allowed" (0 asks for nothing): refused, as SecurityServer.hasPerm refuses it
  const bad = requestError('explainAccess', 1, 1, tclass, requested);
  if (bad) throw bad;
  const req = requested;
  const cls = model.classes[tclass - 1];
  const sText = safeContext(model, scon);
  const tText = safeContext(model, tcon);
  const lines: string[] = [`check: scontext=${sText} tcontext=${tText} tclass=${cls?.name ?? `#${tclass}`}`];
  if (!cls) {
    const denied = req !== 0;
    lines.push(denied ? 'verdict: denied (TE)' : 'verdict: allowed', `class value ${tclass} is not defined in the policy: nothing is allowed`);
    return { allowed: !denied, reasons: denied ? ['TE'] : [], boolsThatWouldGrant: [], lines };
  }

  const results = condResults(model, boolStates);
  const st = computeAvStages(model, scon, tcon, tclass, results, req);
  const reasons: DenyReason[] = [];
  if (st.reason & REASON_TE) reasons.push('TE');
  if (st.reason & REASON_CONS) reasons.push('CONS');
  if (st.reason & REASON_RBAC) reasons.push('RBAC');
  if (st.reason & REASON_BOUNDS) reasons.push('BOUNDS');

  const grantedReq = (req & st.allowed) >>> 0;
  const deniedReq = (req & ~st.allowed) >>> 0;
  const teDenied = (req & ~st.te.allowed) >>> 0;
  const consDenied = (req & st.consMasked) >>> 0;
  const rbacDenied = (req & st.rbacMasked) >>> 0;
  const boundsDenied = (req & st.boundsMasked) >>> 0;
  const perms = (mask: number): string => permSet(cls, mask);
  const sType = typeName(model, scon.type);
  const tType = typeName(model, tcon.type);

  lines.push(deniedReq === 0 ? 'verdict: allowed' : `verdict: denied (${reasons.join(', ')})`);
  if (grantedReq) lines.push(`allowed: ${perms(grantedReq)}`);
  if (deniedReq) lines.push(`denied: ${perms(deniedReq)}`);

  const boolsThatWouldGrant: string[] = [];
  if (teDenied) {
    lines.push(`${perms(teDenied)} denied by type enforcement (TE): no allow rule grants ${perms(teDenied)} on ${tType}:${cls.name} to ${sType}`);
    lines.push(`  searched source types: ${attrNames(model, scon.type)}`);
    lines.push(`  searched target types: ${attrNames(model, tcon.type)}`);
    lines.push(`  suggested rule: allow ${sType} ${tType}:${cls.name} ${perms(teDenied)};`);
    for (const hint of booleanHints(model, scon.type, tcon.type, tclass, results, boolStates, teDenied)) {
      lines.push(`  ${hint.line}`);
      if (hint.bool !== undefined && !boolsThatWouldGrant.includes(hint.bool)) boolsThatWouldGrant.push(hint.bool);
    }
  }
  if (consDenied) {
    lines.push(`${perms(consDenied)} denied by a constraint (CONS):`);
    for (const c of cls.constraints) {
      if ((c.perms & consDenied) === 0 || evalConstraintExpr(model, c.expr, scon, tcon)) continue;
      lines.push(`  ${constraintText(model, cls, c)}`);
      for (const l of operandLines(model, c.expr, scon, tcon)) lines.push(`    ${l}`);
    }
  }
  if (rbacDenied) {
    const from = roleName(model, scon.role);
    const to = roleName(model, tcon.role);
    lines.push(`${perms(rbacDenied)} denied by role-based access control (RBAC): the role changes from ${from} to ${to} and \`allow ${from} ${to};\` is missing`);
  }
  if (boundsDenied) {
    const parent = typeName(model, model.types[scon.type - 1]!.bounds);
    const tb = model.types[tcon.type - 1]!.bounds;
    const parentTarget = tb ? typeName(model, tb) : tType;
    lines.push(`${perms(boundsDenied)} denied by typebounds (BOUNDS): ${sType} is bounded by ${parent}, and ${parent} is not allowed ${perms(boundsDenied)} on ${parentTarget}:${cls.name}`);
  }

  // audit: which denied bits a dontaudit rule hides (auditdeny cleared)
  const hidden = (deniedReq & ~st.te.auditdeny) >>> 0;
  if (hidden) {
    lines.push(`dontaudit: the denial of ${perms(hidden)} is not logged:`);
    for (const m of matchingEntries(model, scon.type, tcon.type, tclass, results, AVTAB_AUDITDENY)) {
      const cleared = (~m.entry.data & hidden) >>> 0;
      if (cleared) lines.push(`  dontaudit ${typeName(model, m.entry.source)} ${typeName(model, m.entry.target)}:${cls.name} ${perms(cleared)};`);
    }
  }
  if (deniedReq && model.types[scon.type - 1]?.permissive) {
    lines.push(`${sType} is a permissive domain: the kernel logs the denial and allows the access (permissive=1)`);
  }
  lines.push(`the policy allows ${sType} on ${tType}:${cls.name}: ${st.allowed ? perms(st.allowed) : 'nothing'}`);
  return { allowed: deniedReq === 0, reasons, boolsThatWouldGrant, lines };
}

// ───────────────────────────── TE helpers ─────────────────────────────

/** Entries of one kind over typeAttrMap(s) × typeAttrMap(t), enabled ones only. */
function matchingEntries(model: PolicyModel, stype: number, ttype: number, tclass: number, results: Int8Array, specified: number): AvMatch[] {
  const out: AvMatch[] = [];
  for (const s of model.typeAttrMap[stype - 1] ?? []) {
    for (const t of model.typeAttrMap[ttype - 1] ?? []) {
      for (const m of avtabLookup(model, s, t, tclass)) {
        if (m.entry.specified !== specified) continue;
        if (m.cond && !condBranchEnabled(results, m.cond.node, m.cond.branch)) continue;
        out.push(m);
      }
    }
  }
  return out;
}

/** Disabled conditional allow rules that would grant some of `wanted`, with a single boolean flip that enables them. */
function booleanHints(
  model: PolicyModel,
  stype: number,
  ttype: number,
  tclass: number,
  results: Int8Array,
  boolStates: readonly boolean[],
  wanted: number,
): Array<{ bool?: string; line: string }> {
  const cls = model.classes[tclass - 1]!;
  const hints: Array<{ bool?: string; line: string }> = [];
  for (const s of model.typeAttrMap[stype - 1] ?? []) {
    for (const t of model.typeAttrMap[ttype - 1] ?? []) {
      for (const m of avtabLookup(model, s, t, tclass)) {
        if (!m.cond || m.entry.specified !== AVTAB_ALLOWED) continue;
        if (condBranchEnabled(results, m.cond.node, m.cond.branch)) continue;
        const grants = (m.entry.data & wanted) >>> 0;
        if (!grants) continue;
        const ruleText = `allow ${typeName(model, m.entry.source)} ${typeName(model, m.entry.target)}:${cls.name} ${permSet(cls, m.entry.data)};`;
        const node = model.conds[m.cond.node]!;
        const need = m.cond.branch ? 1 : 0;
        const flips: Array<{ name: string; value: boolean; current: boolean }> = [];
        const seen = new Set<number>();
        for (const tok of node.expr) {
          if (tok.op !== COND_BOOL || seen.has(tok.bool)) continue;
          seen.add(tok.bool);
          const def = model.bools[tok.bool - 1];
          if (!def) continue;
          const current = boolStates[tok.bool - 1] ?? def.defaultState;
          const trial = model.bools.map((b, i) => boolStates[i] ?? b.defaultState);
          trial[tok.bool - 1] = !current;
          if (evaluateCondExpr(model, node.expr, trial) === need) flips.push({ name: def.name, value: !current, current });
        }
        if (flips.length === 0) {
          hints.push({ line: `no single boolean change enables ${ruleText}` });
          continue;
        }
        for (const f of flips) {
          hints.push({
            bool: f.name,
            line: `boolean ${f.name} is ${f.current}; setting it to ${f.value} would grant ${permSet(cls, grants)} via ${ruleText}`,
          });
        }
      }
    }
  }
  return hints;
}

// ───────────────────────────── constraint text ─────────────────────────────

const OP_TEXT: Record<number, string> = { [CEXPR_EQ]: '==', [CEXPR_NEQ]: '!=', [CEXPR_DOM]: 'dom', [CEXPR_DOMBY]: 'domby', [CEXPR_INCOMP]: 'incomp' };
const LEVEL_OPERANDS: Record<number, [string, string]> = {
  [CEXPR_L1L2]: ['l1', 'l2'],
  [CEXPR_L1H2]: ['l1', 'h2'],
  [CEXPR_H1L2]: ['h1', 'l2'],
  [CEXPR_H1H2]: ['h1', 'h2'],
  [CEXPR_L1H1]: ['l1', 'h1'],
  [CEXPR_L2H2]: ['l2', 'h2'],
};

function leafOperands(node: ConstraintExprNode): [string, string] {
  if (node.exprType === CEXPR_NAMES) {
    const letter = node.attr & CEXPR_USER ? 'u' : node.attr & CEXPR_ROLE ? 'r' : 't';
    const n = node.attr & CEXPR_TARGET ? 2 : node.attr & CEXPR_XTARGET ? 3 : 1;
    return [`${letter}${n}`, ''];
  }
  if (node.attr === CEXPR_USER) return ['u1', 'u2'];
  if (node.attr === CEXPR_ROLE) return ['r1', 'r2'];
  if (node.attr === CEXPR_TYPE) return ['t1', 't2'];
  return LEVEL_OPERANDS[node.attr] ?? [`?${node.attr}`, `?${node.attr}`];
}

function namesText(model: PolicyModel, node: ConstraintExprNode): string {
  const written = node.written && node.written.length > 0 ? node.written : (node.names ?? []).map((v) => valueName(model, node.attr, v));
  if (written.length === 0) return '{ }';
  return written.length === 1 ? written[0]! : `{ ${written.join(' ')} }`;
}

function leafText(model: PolicyModel, node: ConstraintExprNode): string {
  const [a, b] = leafOperands(node);
  const op = OP_TEXT[node.op] ?? `?op${node.op}`;
  if (node.exprType === CEXPR_NAMES) return `${a} ${op} ${namesText(model, node)}`;
  return `${a} ${op} ${b}`;
}

/** Infix policy text of a postfix expression: every leaf and every binary node in parentheses. */
export function constraintExprText(model: PolicyModel, expr: readonly ConstraintExprNode[]): string {
  const stack: string[] = [];
  for (const node of expr) {
    if (node.exprType === CEXPR_NOT) {
      const x = stack.pop();
      if (x === undefined) return '<malformed expression>';
      stack.push(`not ${x}`);
    } else if (node.exprType === CEXPR_AND || node.exprType === CEXPR_OR) {
      const r = stack.pop();
      const l = stack.pop();
      if (l === undefined || r === undefined) return '<malformed expression>';
      stack.push(`(${l} ${node.exprType === CEXPR_AND ? 'and' : 'or'} ${r})`);
    } else if (node.exprType === CEXPR_ATTR || node.exprType === CEXPR_NAMES) {
      stack.push(`(${leafText(model, node)})`);
    } else return '<malformed expression>';
  }
  return stack.length === 1 ? stack[0]! : '<malformed expression>';
}

function constraintText(model: PolicyModel, cls: ClassDef, c: ConstraintDef): string {
  return `${c.mls ? 'mlsconstrain' : 'constrain'} ${cls.name} ${permSet(cls, c.perms)} ${constraintExprText(model, c.expr)}`;
}

/** One line per distinct leaf: the operand values and whether the leaf holds. */
function operandLines(model: PolicyModel, expr: readonly ConstraintExprNode[], scon: ContextValue, tcon: ContextValue): string[] {
  const out: string[] = [];
  for (const node of expr) {
    if (node.exprType !== CEXPR_ATTR && node.exprType !== CEXPR_NAMES) continue;
    const line = leafValueText(model, node, scon, tcon);
    if (!out.includes(line)) out.push(line);
  }
  return out;
}

function leafValueText(model: PolicyModel, node: ConstraintExprNode, scon: ContextValue, tcon: ContextValue): string {
  const value = evalConstraintLeaf(model, node, scon, tcon);
  const [a, b] = leafOperands(node);
  if (node.exprType === CEXPR_NAMES) {
    if (node.attr & CEXPR_XTARGET) return `${a} refers to a third context, which compute_av does not have: false`;
    const c = node.attr & CEXPR_TARGET ? tcon : scon;
    const v = node.attr & CEXPR_USER ? c.user : node.attr & CEXPR_ROLE ? c.role : c.type;
    const name = valueName(model, node.attr, v);
    if (value === undefined) return `${a} = ${name}: invalid operator, false`;
    const member = node.op === CEXPR_EQ ? value : !value;
    return `${a} = ${name} which is ${member ? 'in' : 'not in'} ${namesText(model, node)}`;
  }
  const levels = constraintLevels(node.attr, scon, tcon);
  if (levels) {
    const [l1, l2] = levels;
    const head = `${a} = ${formatLevel(model, l1)}, ${b} = ${formatLevel(model, l2)}`;
    if (value === undefined) return `${head}: invalid operator, false`;
    if (value) return `${head}: ${a} ${OP_TEXT[node.op]} ${b} holds`;
    return `${head}: ${levelFailure(model, node, l1, l2)}`;
  }
  const pick = (c: ContextValue): string =>
    node.attr === CEXPR_USER ? userName(model, c.user) : node.attr === CEXPR_ROLE ? roleName(model, c.role) : typeName(model, c.type);
  const head = `${a} = ${pick(scon)}, ${b} = ${pick(tcon)}`;
  if (value === undefined) return `${head}: invalid operator, false`;
  return `${head}: ${a} ${OP_TEXT[node.op] ?? '?'} ${b} is ${value}`;
}

/** Why a level comparison is false, in terms of what one side lacks. */
function levelFailure(model: PolicyModel, node: ConstraintExprNode, l1: MlsLevel, l2: MlsLevel): string {
  const [a, b] = leafOperands(node);
  const cross = node.attr === CEXPR_L1L2 || node.attr === CEXPR_L1H2 || node.attr === CEXPR_H1L2 || node.attr === CEXPR_H1H2;
  const whoA = cross ? 'the subject' : a;
  const whoB = cross ? 'the object' : b;
  const lacks = (who: string, have: MlsLevel, need: MlsLevel): string => {
    const parts: string[] = [];
    if (have.sens < need.sens) parts.push(`${who}'s sensitivity ${sensName(model, have.sens)} is below ${sensName(model, need.sens)}`);
    const missing = need.cats.intersect(complement(have.cats));
    if (!missing.isEmpty()) parts.push(`${who} lacks ${formatCategories(missing, (i) => categoryName(model, i))}`);
    return parts.join('; ');
  };
  switch (node.op) {
    case CEXPR_DOM:
      return lacks(whoA, l1, l2);
    case CEXPR_DOMBY:
      return lacks(whoB, l2, l1);
    case CEXPR_EQ:
      return `${a} and ${b} differ`;
    case CEXPR_NEQ:
      return `${a} and ${b} are equal`;
    case CEXPR_INCOMP:
      return levelDom(l1, l2) ? `${a} dom ${b} holds, so they are comparable` : `${b} dom ${a} holds, so they are comparable`;
    default:
      return 'invalid operator';
  }
}

function complement(set: MlsLevel['cats']): MlsLevel['cats'] {
  const out = set.clone();
  for (let i = 0; i < out.words.length; i++) out.words[i] = ~out.words[i]! >>> 0;
  return out;
}

// ───────────────────────────── names ─────────────────────────────

function permSet(cls: ClassDef, mask: number): string {
  const names: string[] = [];
  let rest = mask >>> 0;
  for (let bit = 0; bit < 32; bit++) {
    const m = (1 << bit) >>> 0;
    if ((rest & m) === 0) continue;
    const name = cls.perms[bit];
    if (name !== undefined) {
      names.push(name);
      rest = (rest & ~m) >>> 0;
    }
  }
  if (rest) names.push(`0x${rest.toString(16)}`);
  return `{ ${names.join(' ')} }`;
}

/** the type itself first, then its attributes in value order */
function attrNames(model: PolicyModel, type: number): string {
  const attrs = (model.typeAttrMap[type - 1] ?? []).filter((v) => v !== type);
  return [type, ...attrs].map((v) => typeName(model, v)).join(', ');
}

function valueName(model: PolicyModel, attr: number, v: number): string {
  if (attr & CEXPR_USER) return userName(model, v);
  if (attr & CEXPR_ROLE) return roleName(model, v);
  if (attr & CEXPR_TYPE) return typeName(model, v);
  return `#${v}`;
}

const nameOr = (defs: ReadonlyArray<{ readonly name: string }>, v: number): string => defs[v - 1]?.name ?? `#${v}`;
const typeName = (m: PolicyModel, v: number): string => nameOr(m.types, v);
const roleName = (m: PolicyModel, v: number): string => nameOr(m.roles, v);
const userName = (m: PolicyModel, v: number): string => nameOr(m.users, v);
const sensName = (m: PolicyModel, v: number): string => nameOr(m.sensitivities, v);

function safeContext(model: PolicyModel, c: ContextValue): string {
  try {
    return formatContext(model, c);
  } catch {
    return `${userName(model, c.user)}:${roleName(model, c.role)}:${typeName(model, c.type)}`;
  }
}
