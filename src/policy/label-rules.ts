/**
 * The rules that label new objects, with every set expanded to primary types, roles and classes:
 * type_transition (plain and file-name form), type_member, type_change, role_transition and
 * range_transition.
 *
 * Two front ends feed them:
 * - the text compiler records them while it still holds the expanded sets (`model.labelRules`,
 *   src/policy/compile/rules.ts), because the text kept in `model.other` is not always enough to
 *   expand again (`{ * -x }` is written back as `*`);
 * - the binary reader keeps one record per expanded key in `model.other`
 *   (src/policy/binary/avtab.ts, src/policy/binary/rules.ts); `labelRulesOf` reads those back by name.
 *
 * Conditional type rules carry the conditional node (index into `model.conds`) and branch; they
 * apply while that branch is enabled (K ss/conditional.c evaluate_cond_node).
 */
import { parseRange } from '../context/context.js';
import { policyUnsupported } from '../errors.js';
import { buildSymbolIndex, type MlsRange, type PolicyModel, type SymbolIndex } from './model.js';

export type TypeRuleKind = 'type_transition' | 'type_member' | 'type_change';

export interface TypeRuleRecord {
  readonly kind: TypeRuleKind;
  /** primary type values */
  readonly sources: readonly number[];
  /** primary type values; `self` adds each source as its own target */
  readonly targets: readonly number[];
  readonly self: boolean;
  readonly classes: readonly number[];
  /** new type value */
  readonly result: number;
  /** type_transition only: the exact last path component the rule applies to */
  readonly filename?: string;
  readonly cond?: { readonly node: number; readonly branch: boolean };
}

export interface RoleTransitionRecord {
  readonly kind: 'role_transition';
  readonly roles: readonly number[];
  readonly types: readonly number[];
  readonly classes: readonly number[];
  readonly result: number;
}

export interface RangeTransitionRecord {
  readonly kind: 'range_transition';
  readonly sources: readonly number[];
  readonly targets: readonly number[];
  readonly classes: readonly number[];
  readonly range: MlsRange;
}

export type LabelRuleRecord = TypeRuleRecord | RoleTransitionRecord | RangeTransitionRecord;

const TYPE_KINDS: ReadonlySet<string> = new Set(['type_transition', 'type_member', 'type_change']);

/**
 * The label rules of a model: the text compiler's records when present, else the binary reader's
 * `model.other` entries (one expanded key each: single names, `cond N true|false` for conditionals,
 * a JSON-quoted name for file-name transitions). A name that is not a single known symbol is a
 * model this reader does not understand: refused, never skipped.
 */
export function labelRulesOf(model: PolicyModel, index: SymbolIndex = buildSymbolIndex(model)): readonly LabelRuleRecord[] {
  if (model.labelRules) return model.labelRules;
  const out: LabelRuleRecord[] = [];
  const type = (name: string | undefined): number => {
    const t = name === undefined ? undefined : index.types.get(name);
    if (!t || t.attribute) throw policyUnsupported(`label rule names ${JSON.stringify(name)}, which is not a primary type`);
    return t.value;
  };
  const cls = (name: string | undefined): number => {
    const c = name === undefined ? undefined : index.classes.get(name);
    if (!c) throw policyUnsupported(`label rule names ${JSON.stringify(name)}, which is not a class`);
    return c.value;
  };
  const role = (name: string | undefined): number => {
    const r = name === undefined ? undefined : index.roles.get(name);
    if (!r) throw policyUnsupported(`label rule names ${JSON.stringify(name)}, which is not a role`);
    return r.value;
  };
  for (const o of model.other) {
    const a = o.args;
    if (TYPE_KINDS.has(o.kind)) {
      let filename: string | undefined;
      let cond: TypeRuleRecord['cond'];
      if (a.length === 5) filename = JSON.parse(a[4]!) as string;
      else if (a.length === 7 && a[4] === 'cond') cond = { node: Number(a[5]), branch: a[6] === 'true' };
      else if (a.length !== 4) throw policyUnsupported(`${o.kind} with ${a.length} arguments`);
      const rec: TypeRuleRecord = {
        kind: o.kind as TypeRuleKind,
        sources: [type(a[0])],
        targets: [type(a[1])],
        self: false,
        classes: [cls(a[2])],
        result: type(a[3]),
        ...(filename !== undefined ? { filename } : {}),
        ...(cond ? { cond } : {}),
      };
      out.push(rec);
    } else if (o.kind === 'role_transition') {
      out.push({ kind: 'role_transition', roles: [role(a[0])], types: [type(a[1])], classes: [cls(a[2])], result: role(a[3]) });
    } else if (o.kind === 'range_transition') {
      out.push({ kind: 'range_transition', sources: [type(a[0])], targets: [type(a[1])], classes: [cls(a[2])], range: parseRange(model, index, a[3] ?? '') });
    }
  }
  return out;
}
