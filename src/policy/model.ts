/**
 * The compiled policy model: the decision-relevant content of a kernel policydb, plus every other
 * statement kept as parsed data. Both front ends (policy.conf text, binary policy.NN) produce it; the
 * Wasm image builder, the plain-TS reference evaluator, the context parser and `explain` consume it.
 *
 * Conventions (mirroring libsepol/kernel, see docs/selinux-semantics.md):
 * - Every symbol has a 1-based `value`; arrays are indexed by `value - 1` (`types[v - 1].value === v`).
 * - Permission bit of a class = permission value - 1; common permissions take the low bits.
 * - Category sets are `CategorySet` (bit i = category value i + 1).
 * - Type lists (`RoleDef.types`, constraint names) hold type values, sorted ascending, no attributes
 *   after expansion (constraint `names` are expanded to primary types, as in the kernel binary).
 */
import type { CategorySet } from '../context/categories.js';
import type { LabelRuleRecord } from './label-rules.js';

export type HandleUnknown = 'deny' | 'reject' | 'allow';

/** A source location in a policy text, for diagnostics (1-based line and column). */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface CommonDef {
  readonly name: string;
  readonly value: number;
  /** permission names; index = bit */
  readonly perms: string[];
}

export interface ClassDef {
  readonly name: string;
  readonly value: number;
  readonly common?: string;
  /** all permission names including inherited common ones; index = bit (common perms first) */
  readonly perms: string[];
  /** constrain and mlsconstrain statements for this class, in policy order */
  readonly constraints: ConstraintDef[];
  /** validatetrans / mlsvalidatetrans (not used by compute_av, kept for fidelity) */
  readonly validatetrans: ConstraintDef[];
  /** default_user / default_role / default_type / default_range, when declared */
  defaults?: ClassDefaults;
}

export interface ClassDefaults {
  user?: 'source' | 'target';
  role?: 'source' | 'target';
  type?: 'source' | 'target';
  range?: string; // e.g. 'source low-high', 'glblub'
}

export interface TypeDef {
  readonly name: string;
  readonly value: number;
  readonly attribute: boolean;
  readonly aliases: string[];
  /** value of the bounding type, 0 when none */
  bounds: number;
  /** `permissive TYPE;` */
  permissive: boolean;
}

export interface RoleDef {
  readonly name: string;
  readonly value: number;
  /** type values this role may hold (primary types only, sorted) */
  types: number[];
  /** role values this role dominates, including itself (sorted) */
  dominates: number[];
  bounds: number;
}

export interface MlsLevel {
  /** sensitivity value (1-based) */
  readonly sens: number;
  readonly cats: CategorySet;
}

export interface MlsRange {
  readonly low: MlsLevel;
  readonly high: MlsLevel;
}

export interface UserDef {
  readonly name: string;
  readonly value: number;
  /** role values, sorted */
  roles: number[];
  /** MLS: the user's authorised range and default level (absent in non-MLS policies) */
  range?: MlsRange;
  defaultLevel?: MlsLevel;
  bounds: number;
}

export interface BoolDef {
  readonly name: string;
  readonly value: number;
  /** default state as declared in the policy */
  readonly defaultState: boolean;
}

export interface SensitivityDef {
  readonly name: string;
  /** dominance order: value 1 is the lowest */
  readonly value: number;
  readonly aliases: string[];
  /** categories allowed at this sensitivity (`level s0:c0.c1023;`) */
  allowedCats: CategorySet;
}

export interface CategoryDef {
  readonly name: string;
  readonly value: number;
  readonly aliases: string[];
}

/** avtab `specified` bits (S include/sepol/policydb/avtab.h). */
export const AVTAB_ALLOWED = 0x0001;
export const AVTAB_AUDITALLOW = 0x0002;
/** data is the set of permissions whose denial IS audited (dontaudit p ⇒ data = ~p); AND-combined */
export const AVTAB_AUDITDENY = 0x0004;
export type AvSpecified = typeof AVTAB_ALLOWED | typeof AVTAB_AUDITALLOW | typeof AVTAB_AUDITDENY;

/**
 * One access-vector table entry, keyed by (source, target, class, specified) as in the kernel avtab.
 * source/target are type OR attribute values; compute_av expands them through `typeAttrMap`.
 * Entries with the same key are merged by the compiler (OR for allowed/auditallow, AND for auditdeny).
 */
export interface AvEntry {
  readonly source: number;
  readonly target: number;
  readonly tclass: number;
  readonly specified: AvSpecified;
  data: number;
}

/** Extended-permission rules (allowxperm & co). compute_av ignores them; kept for fidelity. */
export interface XpermEntry {
  readonly source: number;
  readonly target: number;
  readonly tclass: number;
  readonly kind: 'allowxperm' | 'auditallowxperm' | 'dontauditxperm' | 'neverallowxperm';
  readonly operation: string; // 'ioctl' | 'nlmsg'
  /** 16-bit command ranges, inclusive */
  readonly ranges: Array<[number, number]>;
}

/** Conditional expression operators (S include/sepol/policydb/conditional.h). */
export const COND_BOOL = 1;
export const COND_NOT = 2;
export const COND_OR = 3;
export const COND_AND = 4;
export const COND_XOR = 5;
export const COND_EQ = 6;
export const COND_NEQ = 7;
export const COND_MAX_DEPTH = 10;

export interface CondExprToken {
  readonly op: number;
  /** boolean value (1-based) when op === COND_BOOL, else 0 */
  readonly bool: number;
}

export interface CondNode {
  /** postfix expression */
  readonly expr: CondExprToken[];
  readonly trueList: AvEntry[];
  readonly falseList: AvEntry[];
}

/** Constraint expression node kinds, attributes and operators (S include/sepol/policydb/constraint.h). */
export const CEXPR_NOT = 1;
export const CEXPR_AND = 2;
export const CEXPR_OR = 3;
export const CEXPR_ATTR = 4;
export const CEXPR_NAMES = 5;

export const CEXPR_USER = 1;
export const CEXPR_ROLE = 2;
export const CEXPR_TYPE = 4;
export const CEXPR_TARGET = 8;
export const CEXPR_XTARGET = 16;
export const CEXPR_L1L2 = 32;
export const CEXPR_L1H2 = 64;
export const CEXPR_H1L2 = 128;
export const CEXPR_H1H2 = 256;
export const CEXPR_L1H1 = 512;
export const CEXPR_L2H2 = 1024;

export const CEXPR_EQ = 1;
export const CEXPR_NEQ = 2;
export const CEXPR_DOM = 3;
export const CEXPR_DOMBY = 4;
export const CEXPR_INCOMP = 5;

export const CEXPR_MAX_DEPTH = 5;

export interface ConstraintExprNode {
  readonly exprType: number;
  readonly attr: number;
  readonly op: number;
  /** NAMES only: user/role/type values (types expanded to primary types), sorted */
  readonly names?: number[];
  /** NAMES only: the names as written (e.g. `mcs_constrained_type`), for explain output */
  readonly written?: string[];
}

export interface ConstraintDef {
  /** permission mask within the class */
  readonly perms: number;
  /** postfix */
  readonly expr: ConstraintExprNode[];
  /** true for mlsconstrain / mlsvalidatetrans */
  readonly mls: boolean;
  readonly loc?: SourceLoc;
}

/** A security context as symbol values. `range` is absent in non-MLS policies. */
export interface ContextValue {
  readonly user: number;
  readonly role: number;
  readonly type: number;
  readonly range?: MlsRange;
}

export interface InitialSid {
  readonly name: string;
  /** kernel initial SID number (1..27 for the refpolicy order) */
  readonly sid: number;
  context?: ContextValue;
}

/**
 * Statements that do not affect compute_av, kept as parsed so nothing is dropped silently.
 * Each entry keeps its text arguments; labeling code may interpret them later.
 */
export interface OtherStatement {
  readonly kind: string; // 'type_transition', 'range_transition', 'genfscon', 'portcon', ...
  readonly args: string[];
  readonly loc?: SourceLoc;
}

export interface PolicyModel {
  readonly mls: boolean;
  handleUnknown: HandleUnknown;
  /** binary policy version when read from policy.NN; undefined for text */
  policyVersion?: number;
  policyCaps: string[];
  commons: CommonDef[];
  classes: ClassDef[];
  roles: RoleDef[];
  types: TypeDef[];
  users: UserDef[];
  bools: BoolDef[];
  sensitivities: SensitivityDef[];
  categories: CategoryDef[];
  /**
   * typeAttrMap[v - 1] = sorted values of type v itself plus every attribute containing it.
   * For an attribute value, just itself. (K type_attr_map)
   */
  typeAttrMap: number[][];
  /** attrTypes[v - 1] = sorted primary type values in attribute v (empty for a primary type) */
  attrTypes: number[][];
  /** unconditional avtab */
  avtab: AvEntry[];
  /** conditional nodes; their entries form the conditional avtab */
  conds: CondNode[];
  xperms: XpermEntry[];
  /** role allow pairs [from, to] */
  roleAllows: Array<[number, number]>;
  initialSids: InitialSid[];
  other: OtherStatement[];
  /**
   * Text compiler only: type/role/range transition rules with their sets expanded, in policy order
   * (src/policy/label-rules.ts). Binary models carry them in `other`, one expanded key each.
   */
  labelRules?: LabelRuleRecord[];
}

/** Name lookup tables derived once from a model (aliases included). */
export interface SymbolIndex {
  readonly classes: Map<string, ClassDef>;
  readonly types: Map<string, TypeDef>;
  readonly roles: Map<string, RoleDef>;
  readonly users: Map<string, UserDef>;
  readonly bools: Map<string, BoolDef>;
  readonly sensitivities: Map<string, SensitivityDef>;
  readonly categories: Map<string, CategoryDef>;
}

export function buildSymbolIndex(model: PolicyModel): SymbolIndex {
  const byName = <T extends { name: string }>(defs: readonly T[], aliases?: (d: T) => readonly string[]): Map<string, T> => {
    const map = new Map<string, T>();
    for (const d of defs) {
      map.set(d.name, d);
      if (aliases) for (const a of aliases(d)) map.set(a, d);
    }
    return map;
  };
  return {
    classes: byName(model.classes),
    types: byName(model.types, (t) => t.aliases),
    roles: byName(model.roles),
    users: byName(model.users),
    bools: byName(model.bools),
    sensitivities: byName(model.sensitivities, (s) => s.aliases),
    categories: byName(model.categories, (c) => c.aliases),
  };
}

/** The value of `object_r`, which the kernel fixes at 1 (OBJECT_R_VAL). */
export const OBJECT_R_VALUE = 1;
