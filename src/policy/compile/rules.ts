/**
 * Rule statements → PolicyModel: TE av rules into the avtab, conditional blocks into CondNodes,
 * extended-permission rules, role allow pairs, and every decision-neutral statement into
 * `model.other` (validated first, so a typo there is an error too).
 *
 * `model.other` conventions (args are the statement's parts as written, normalised blanks):
 * - neverallow:            [source, target, classes, perms]
 * - type_transition/member/change: [source, target, classes, result] (+ filename for the name form);
 *   inside `if`, two more args: `cond=<index into model.conds>` and `branch=true|false`
 * - role_transition:       [roles, types, classes (process when omitted), result]
 * - range_transition:      [source, target, classes (process when omitted), range]
 * - fs_use_*:              [fs, context]; genfscon: [fs, path, (file type), context];
 *   portcon: [protocol, port or low-high, context]; netifcon: [name, ifcontext, msgcontext];
 *   nodecon: [addr, mask, context]; ibpkeycon: [subnet, key(s), context]; ibendportcon: [dev, port, context]
 * - expandattribute:       [attributes, true|false]
 */
import type {
  AvRuleStmt,
  CondAstToken,
  IfStmt,
  LabelingStmt,
  NameSet,
  RangeTransitionStmt,
  RoleTransitionStmt,
  Statement,
  TypeRuleStmt,
  XpermRuleStmt,
} from '../ast.js';
import { rangeText, setText } from '../parser.js';
import { COND_BOOL, COND_MAX_DEPTH, COND_NOT, type CondExprToken } from '../model.js';
import { AvtabBuilder, type AvOp } from './avtab.js';
import { quoteInput } from '../../errors.js';
import { LabelingChecker } from './labeling.js';
import { resolveContext, resolveRange } from './mls.js';
import { expandClassSet, expandRoleSet, expandTypeSet, permMasks } from './sets.js';
import type { ClassInfo, CompileState } from './state.js';
import type { LabelRuleRecord } from '../label-rules.js';

/** Keep a label rule with its sets expanded (src/policy/label-rules.ts). */
function recordLabelRule(st: CompileState, rule: LabelRuleRecord): void {
  (st.model.labelRules ??= []).push(rule);
}

interface CondBuilder {
  readonly index: number;
  readonly expr: CondExprToken[];
  readonly whenTrue: AvtabBuilder;
  readonly whenFalse: AvtabBuilder;
}

export class RuleCompiler {
  readonly avtab = new AvtabBuilder();
  private readonly conds = new Map<string, CondBuilder>();
  private readonly condList: CondBuilder[] = [];

  private readonly labels: LabelingChecker;
  private readonly roleTransKeys = new Set<number>();
  private readonly filenameTrans = new Set<string>();

  constructor(private readonly st: CompileState) {
    this.labels = new LabelingChecker(st);
  }

  /** Pass 4 over top-level statements (declarations were handled by earlier passes). */
  statement(s: Statement): void {
    const st = this.st;
    switch (s.kind) {
      case 'avrule':
        this.avRule(s, this.avtab);
        break;
      case 'xpermrule':
        this.xpermRule(s);
        break;
      case 'typerule':
        this.typeRule(s, undefined);
        break;
      case 'if':
        this.ifBlock(s);
        break;
      case 'role_allow': {
        const from = expandRoleSet(st, s.from);
        const to = expandRoleSet(st, s.to);
        if (!from || !to) break;
        for (const a of from) for (const b of to) st.model.roleAllows.push([a, b]);
        break;
      }
      case 'role_transition':
        this.roleTransition(s);
        break;
      case 'range_transition':
        this.rangeTransition(s);
        break;
      case 'sid_context': {
        const sid = st.sids.get(s.name.name);
        if (!sid) {
          st.error(s.name.pos, `initial SID '${s.name.name}' is not declared (add 'sid ${s.name.name}' to the SID list)`);
          break;
        }
        if (sid.context) {
          st.error(s.name.pos, `duplicate context for initial SID '${s.name.name}'`);
          break;
        }
        const ctx = resolveContext(st, s.context, `initial SID ${s.name.name}`);
        if (ctx) sid.context = ctx;
        break;
      }
      case 'labeling':
        this.labeling(s);
        break;
      case 'kept':
        st.model.other.push({ kind: s.keyword, args: s.args, loc: st.loc(s.pos) });
        break;
      default:
        break;
    }
  }

  finish(): void {
    this.st.model.avtab = this.avtab.entries;
    this.st.model.conds = this.condList.map((c) => ({ expr: c.expr, trueList: c.whenTrue.entries, falseList: c.whenFalse.entries }));
  }

  private classesAndMasks(classes: NameSet, perms: NameSet): { classes: ClassInfo[]; masks: number[] } | undefined {
    const cls = expandClassSet(this.st, classes);
    if (!cls) return undefined;
    const masks = permMasks(this.st, perms, cls);
    if (!masks) return undefined;
    return { classes: cls, masks };
  }

  private avRule(s: AvRuleStmt, table: AvtabBuilder): void {
    const st = this.st;
    // libsepol forces expansion of both sets for self rules (convert_and_expand_rule)
    const hasSelf = s.target.names.includes('self');
    const src = expandTypeSet(st, s.source, hasSelf, false);
    const tgt = expandTypeSet(st, s.target, hasSelf, true);
    const cm = this.classesAndMasks(s.classes, s.perms);
    if (!src || !tgt || !cm) return;
    if (s.rule === 'neverallow') {
      st.model.other.push({ kind: 'neverallow', args: [setText(s.source), setText(s.target), setText(s.classes), setText(s.perms)], loc: st.loc(s.pos) });
      return;
    }
    const op: AvOp = s.rule;
    for (let i = 0; i < cm.classes.length; i++) {
      const mask = cm.masks[i]!;
      // `~{…}` covering every permission leaves nothing: checkpolicy omits the rule
      if (mask === 0) continue;
      const tclass = cm.classes[i]!.def.value;
      for (const a of src.values) {
        if (tgt.self) table.add(op, a, a, tclass, mask);
        for (const b of tgt.values) table.add(op, a, b, tclass, mask);
      }
    }
  }

  private xpermRule(s: XpermRuleStmt): void {
    const st = this.st;
    if (s.operation.name !== 'ioctl' && s.operation.name !== 'nlmsg') {
      st.error(s.operation.pos, `unknown extended permission operation '${s.operation.name}' (expected ioctl or nlmsg)`);
      return;
    }
    const hasSelf = s.target.names.includes('self');
    const src = expandTypeSet(st, s.source, hasSelf, false);
    const tgt = expandTypeSet(st, s.target, hasSelf, true);
    const classes = expandClassSet(st, s.classes);
    if (!src || !tgt || !classes) return;
    const ranges = s.complement ? complementRanges(s.ranges) : mergeRanges(s.ranges);
    if (ranges.length === 0) return;
    for (const c of classes) {
      for (const a of src.values) {
        const targets = tgt.self ? [a, ...tgt.values] : tgt.values;
        for (const b of targets) {
          st.model.xperms.push({ source: a, target: b, tclass: c.def.value, kind: s.rule, operation: s.operation.name, ranges: ranges.map((r) => [r[0], r[1]]) });
        }
      }
    }
  }

  private typeRule(s: TypeRuleStmt, cond: { index: number; branch: boolean } | undefined): void {
    const st = this.st;
    const src = expandTypeSet(st, s.source, true, false);
    const tgt = expandTypeSet(st, s.target, true, true);
    const classes = expandClassSet(st, s.classes);
    const result = st.primaryType(s.result, 'type (the result of a type rule)');
    if (!src || !tgt || !classes || !result) return;
    if (s.filename !== undefined && !this.uniqueFilenameTrans(s, src.values, tgt, classes)) return;
    const args = [setText(s.source), setText(s.target), setText(s.classes), s.result.name];
    if (s.filename !== undefined) args.push(s.filename);
    if (cond) args.push(`cond=${cond.index}`, `branch=${cond.branch}`);
    st.model.other.push({ kind: s.rule, args, loc: st.loc(s.pos) });
    recordLabelRule(st, {
      kind: s.rule,
      sources: src.values,
      targets: tgt.values,
      self: tgt.self,
      classes: classes.map((c) => c.def.value),
      result: result.value,
      ...(s.filename !== undefined ? { filename: s.filename } : {}),
      ...(cond ? { cond: { node: cond.index, branch: cond.branch } } : {}),
    });
  }

  /**
   * One filename transition per (source, target, class, name) (S checkpolicy define_filename_trans →
   * policydb_filetrans_insert SEPOL_EEXIST: "duplicate filename transition").
   */
  private uniqueFilenameTrans(s: TypeRuleStmt, sources: readonly number[], tgt: { values: readonly number[]; self: boolean }, classes: readonly ClassInfo[]): boolean {
    const st = this.st;
    const types = st.model.types;
    for (const c of classes) {
      for (const src of sources) {
        const targets = tgt.self ? [...tgt.values, src] : tgt.values;
        for (const t of targets) {
          const key = `${src},${t},${c.def.value},${s.filename}`;
          if (this.filenameTrans.has(key)) {
            st.error(s.pos, `duplicate filename transition for (${types[src - 1]!.name}, ${types[t - 1]!.name}:${c.def.name}, ${quoteInput(s.filename!)})`);
            return false;
          }
          this.filenameTrans.add(key);
        }
      }
    }
    return true;
  }

  private defaultProcessClass(classes: NameSet | undefined, pos: number): string | undefined {
    if (classes) return expandClassSet(this.st, classes) ? setText(classes) : undefined;
    if (!this.st.classes.has('process')) {
      this.st.error(pos, `this form implies class 'process', which is not declared`);
      return undefined;
    }
    return 'process';
  }

  /** class values of an already-checked class set; `process` when omitted */
  private classValues(classes: NameSet | undefined): number[] {
    if (!classes) return [this.st.classes.get('process')!.def.value];
    return (expandClassSet(this.st, classes) ?? []).map((c) => c.def.value);
  }

  private roleTransition(s: RoleTransitionStmt): void {
    const st = this.st;
    const roles = expandRoleSet(st, s.roles);
    const types = expandTypeSet(st, s.types, true, false);
    const cls = this.defaultProcessClass(s.classes, s.pos);
    const result = st.role(s.result);
    if (!roles || !types || cls === undefined || !result) return;
    // one transition per (role, type, class) (S checkpolicy define_role_trans: "duplicate role transition")
    const classValues = s.classes ? (expandClassSet(st, s.classes) ?? []).map((c) => c.def.value) : [st.classes.get('process')!.def.value];
    for (const r of roles) {
      for (const t of types.values) {
        for (const c of classValues) {
          const key = (r * 0x10000 + t) * 0x10000 + c;
          if (this.roleTransKeys.has(key)) {
            st.error(s.pos, `duplicate role_transition for (${st.model.roles[r - 1]!.name}, ${st.model.types[t - 1]!.name}, ${st.model.classes[c - 1]!.name})`);
            return;
          }
          this.roleTransKeys.add(key);
        }
      }
    }
    st.model.other.push({ kind: 'role_transition', args: [setText(s.roles), setText(s.types), cls, s.result.name], loc: st.loc(s.pos) });
    recordLabelRule(st, { kind: 'role_transition', roles, types: types.values, classes: this.classValues(s.classes), result: result.value });
  }

  private rangeTransition(s: RangeTransitionStmt): void {
    const st = this.st;
    if (!st.model.mls) {
      st.error(s.pos, `range_transition needs an MLS policy (no sensitivities are declared)`);
      return;
    }
    const src = expandTypeSet(st, s.source, true, false);
    const tgt = expandTypeSet(st, s.target, true, false);
    const cls = this.defaultProcessClass(s.classes, s.pos);
    const range = resolveRange(st, s.range);
    if (!src || !tgt || cls === undefined || !range) return;
    st.model.other.push({ kind: 'range_transition', args: [setText(s.source), setText(s.target), cls, rangeText(s.range)], loc: st.loc(s.pos) });
    recordLabelRule(st, { kind: 'range_transition', sources: src.values, targets: tgt.values, classes: this.classValues(s.classes), range });
  }

  private labeling(s: LabelingStmt): void {
    const st = this.st;
    let ok = this.labels.check(s);
    for (const c of s.contexts) if (!resolveContext(st, c, s.keyword)) ok = false;
    if (ok) st.model.other.push({ kind: s.keyword, args: s.args, loc: st.loc(s.pos) });
  }

  /**
   * `if (expr) { … } else { … }` (S checkpolicy define_conditional, S libsepol cond_normalize_expr):
   * the stack depth must stay ≤ COND_MAX_DEPTH; a trailing NOT is dropped by swapping the branches;
   * blocks with the same expression share one node.
   */
  private ifBlock(s: IfStmt): void {
    const st = this.st;
    const expr = this.condTokens(s.expr, s.pos);
    let trueStmts = s.whenTrue;
    let falseStmts = s.whenFalse;
    if (!expr) {
      // still check the rules inside for errors
      const scratch = new AvtabBuilder();
      for (const r of [...trueStmts, ...falseStmts]) {
        if (r.kind === 'avrule') this.avRule(r, scratch);
      }
      return;
    }
    if (expr.length > 1 && expr[expr.length - 1]!.op === COND_NOT) {
      expr.pop();
      [trueStmts, falseStmts] = [falseStmts, trueStmts];
    }
    const key = expr.map((t) => `${t.op}:${t.bool}`).join(',');
    let node = this.conds.get(key);
    if (!node) {
      node = { index: this.condList.length, expr, whenTrue: new AvtabBuilder(), whenFalse: new AvtabBuilder() };
      this.conds.set(key, node);
      this.condList.push(node);
    }
    for (const [list, table, branch] of [
      [trueStmts, node.whenTrue, true],
      [falseStmts, node.whenFalse, false],
    ] as const) {
      for (const r of list) {
        if (r.kind === 'avrule') this.avRule(r, table);
        else if (r.kind === 'typerule') this.typeRule(r, { index: node.index, branch });
        else st.error(r.pos, `statement not allowed inside a conditional block`);
      }
    }
  }

  private condTokens(ast: readonly CondAstToken[], pos: number): CondExprToken[] | undefined {
    const st = this.st;
    const out: CondExprToken[] = [];
    let ok = true;
    let depth = 0;
    for (const t of ast) {
      if (t.op === COND_BOOL) {
        const b = st.bool(t.name!);
        if (!b) ok = false;
        out.push({ op: COND_BOOL, bool: b ? b.value : 0 });
        if (depth === COND_MAX_DEPTH) {
          st.error(t.name!.pos, `conditional expression is nested more than ${COND_MAX_DEPTH} deep`);
          return undefined;
        }
        depth++;
      } else if (t.op === COND_NOT) {
        out.push({ op: COND_NOT, bool: 0 });
      } else {
        out.push({ op: t.op, bool: 0 });
        depth--;
      }
    }
    if (depth !== 1) {
      st.error(pos, `malformed conditional expression`);
      return undefined;
    }
    return ok ? out : undefined;
  }
}

function mergeRanges(ranges: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complementRanges(ranges: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of mergeRanges(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= 0xffff) out.push([next, 0xffff]);
  return out;
}
