/**
 * Syntax tree of a policy.conf, exactly as written: names are not resolved, sets are not expanded.
 * Every node carries `pos`, the UTF-16 offset of its first character (SourceText turns it into
 * line:column). The compiler (compiler.ts) resolves and expands it into a PolicyModel.
 */

/** An identifier occurrence. */
export interface NameRef {
  readonly name: string;
  readonly pos: number;
}

/**
 * A set of names as written: `x`, `{ a b -c }` (nested braces flattened), `*`, `~x`, `~{ … }`.
 * `self` appears as an ordinary name in `names`; the compiler gives it its meaning.
 */
export interface NameSet {
  readonly pos: number;
  /** the names as written (positive) */
  readonly names: readonly string[];
  /** offsets of `names`, parallel; EMPTY for a set that is one bare name starting at `pos` */
  readonly namePos: readonly number[];
  /** names written with a leading `-` */
  readonly excluded: readonly string[];
  readonly excludedPos: readonly number[];
  readonly star: boolean;
  readonly complement: boolean;
}

/**
 * Shared empty list. Sets store names and offsets in parallel arrays instead of one NameRef per
 * name: a 10 MB policy has over a million names, and fewer objects means far less GC work.
 */
export const EMPTY: readonly never[] = Object.freeze([]);

/** The i-th positive name of a set with its position. */
export function nameAt(set: NameSet, i: number): NameRef {
  return { name: set.names[i]!, pos: set.namePos[i] ?? set.pos };
}

/** The i-th excluded (`-x`) name of a set with its position. */
export function excludedAt(set: NameSet, i: number): NameRef {
  return { name: set.excluded[i]!, pos: set.excludedPos[i] ?? set.pos };
}

/** `c5` or `c0.c1023` inside a level (the range bounds are category names or aliases). */
export interface CatItem {
  readonly low: NameRef;
  readonly high?: NameRef;
}

export interface LevelExpr {
  readonly pos: number;
  readonly sens: NameRef;
  readonly cats: CatItem[];
}

export interface RangeExpr {
  readonly pos: number;
  readonly low: LevelExpr;
  /** absent when written as a single level */
  readonly high?: LevelExpr;
}

export interface ContextExpr {
  readonly pos: number;
  readonly user: NameRef;
  readonly role: NameRef;
  readonly type: NameRef;
  readonly range?: RangeExpr;
  /** the context as written, blanks normalised (`u:r:t:s0 - s0:c0.c3`) */
  readonly text: string;
}

/** One postfix token of a conditional expression (`if (…)`). op uses the COND_* codes. */
export interface CondAstToken {
  readonly op: number;
  /** the boolean name when op === COND_BOOL */
  readonly name?: NameRef;
}

/** One postfix node of a constraint expression; codes are the CEXPR_* constants of model.ts. */
export interface ConstraintAstNode {
  readonly pos: number;
  readonly exprType: number;
  readonly attr: number;
  readonly op: number;
  /** CEXPR_NAMES only: the names as written */
  readonly names?: NameSet;
}

export type AvRuleKind = 'allow' | 'auditallow' | 'auditdeny' | 'dontaudit' | 'neverallow';
export type XpermRuleKind = 'allowxperm' | 'auditallowxperm' | 'dontauditxperm' | 'neverallowxperm';
export type TypeRuleKind = 'type_transition' | 'type_member' | 'type_change';

interface Base {
  readonly pos: number;
}

export interface ClassDeclStmt extends Base {
  readonly kind: 'class_decl';
  readonly name: NameRef;
}
export interface CommonStmt extends Base {
  readonly kind: 'common';
  readonly name: NameRef;
  readonly perms: NameRef[];
}
export interface ClassPermsStmt extends Base {
  readonly kind: 'class_perms';
  readonly name: NameRef;
  readonly inherits?: NameRef;
  readonly perms: NameRef[];
}
export interface SidDeclStmt extends Base {
  readonly kind: 'sid_decl';
  readonly name: NameRef;
}
export interface SidContextStmt extends Base {
  readonly kind: 'sid_context';
  readonly name: NameRef;
  readonly context: ContextExpr;
}
export interface DefaultStmt extends Base {
  readonly kind: 'default_user' | 'default_role' | 'default_type' | 'default_range';
  readonly classes: NameSet;
  /** `source`, `target`, or for default_range `source low`, `target low-high`, `glblub` … */
  readonly value: string;
}
export interface SensitivityStmt extends Base {
  readonly kind: 'sensitivity';
  readonly name: NameRef;
  readonly aliases: NameRef[];
}
export interface DominanceStmt extends Base {
  readonly kind: 'dominance';
  readonly names: NameRef[];
}
export interface CategoryStmt extends Base {
  readonly kind: 'category';
  readonly name: NameRef;
  readonly aliases: NameRef[];
}
export interface LevelStmt extends Base {
  readonly kind: 'level';
  readonly level: LevelExpr;
}
export interface ConstrainStmt extends Base {
  /** constrain / mlsconstrain carry perms; validatetrans / mlsvalidatetrans do not */
  readonly kind: 'constrain' | 'mlsconstrain' | 'validatetrans' | 'mlsvalidatetrans';
  readonly classes: NameSet;
  readonly perms?: NameSet;
  readonly expr: ConstraintAstNode[];
}
export interface PolicycapStmt extends Base {
  readonly kind: 'policycap';
  readonly name: NameRef;
}
export interface AttributeStmt extends Base {
  readonly kind: 'attribute';
  readonly name: NameRef;
}
export interface TypeStmt extends Base {
  readonly kind: 'type';
  readonly name: NameRef;
  readonly aliases: NameRef[];
  readonly attrs: NameRef[];
}
export interface TypealiasStmt extends Base {
  readonly kind: 'typealias';
  readonly name: NameRef;
  readonly aliases: NameRef[];
}
export interface TypeattributeStmt extends Base {
  readonly kind: 'typeattribute';
  readonly name: NameRef;
  readonly attrs: NameRef[];
}
export interface TypeboundsStmt extends Base {
  readonly kind: 'typebounds';
  readonly parent: NameRef;
  readonly children: NameRef[];
}
export interface BoolStmt extends Base {
  readonly kind: 'bool';
  readonly name: NameRef;
  readonly value: boolean;
}
export interface PermissiveStmt extends Base {
  readonly kind: 'permissive';
  readonly name: NameRef;
}
export interface AvRuleStmt extends Base {
  readonly kind: 'avrule';
  readonly rule: AvRuleKind;
  readonly source: NameSet;
  readonly target: NameSet;
  readonly classes: NameSet;
  readonly perms: NameSet;
}
export interface XpermRuleStmt extends Base {
  readonly kind: 'xpermrule';
  readonly rule: XpermRuleKind;
  readonly source: NameSet;
  readonly target: NameSet;
  readonly classes: NameSet;
  readonly operation: NameRef;
  readonly complement: boolean;
  /** inclusive 16-bit ranges as written */
  readonly ranges: Array<[number, number]>;
  /** the xperm set as written (`{ 0x8900-0x8905 }`) */
  readonly text: string;
}
export interface TypeRuleStmt extends Base {
  readonly kind: 'typerule';
  readonly rule: TypeRuleKind;
  readonly source: NameSet;
  readonly target: NameSet;
  readonly classes: NameSet;
  readonly result: NameRef;
  /** type_transition … "name"; */
  readonly filename?: string;
}
export interface RoleStmt extends Base {
  readonly kind: 'role';
  readonly name: NameRef;
  /** `role R types { … };` */
  readonly types?: NameSet;
}
export interface RoleAllowStmt extends Base {
  readonly kind: 'role_allow';
  readonly from: NameSet;
  readonly to: NameSet;
}
export interface RoleTransitionStmt extends Base {
  readonly kind: 'role_transition';
  readonly roles: NameSet;
  readonly types: NameSet;
  /** absent: the old form, class `process` implied */
  readonly classes?: NameSet;
  readonly result: NameRef;
}
export interface RoleDominanceStmt extends Base {
  readonly kind: 'role_dominance';
  /** [dominating role, dominated role] pairs in written order */
  readonly pairs: Array<[NameRef, NameRef]>;
}
export interface UserStmt extends Base {
  readonly kind: 'user';
  readonly name: NameRef;
  readonly roles: NameSet;
  readonly level?: LevelExpr;
  readonly range?: RangeExpr;
}
export interface RangeTransitionStmt extends Base {
  readonly kind: 'range_transition';
  readonly source: NameSet;
  readonly target: NameSet;
  /** absent: the old form, class `process` implied */
  readonly classes?: NameSet;
  readonly range: RangeExpr;
}
export interface IfStmt extends Base {
  readonly kind: 'if';
  /** postfix, as checkpolicy builds it */
  readonly expr: CondAstToken[];
  readonly whenTrue: Statement[];
  readonly whenFalse: Statement[];
}
/** A labeling statement (fs_use_*, genfscon, portcon, netifcon, nodecon, ib*con, Xen *con…). */
export interface LabelingStmt extends Base {
  readonly kind: 'labeling';
  readonly keyword: string;
  /** textual arguments in order; contexts as their normalised text */
  readonly args: string[];
  readonly contexts: ContextExpr[];
}
/** Declarations with no effect on decisions that are kept verbatim (expandattribute …). */
export interface KeptStmt extends Base {
  readonly kind: 'kept';
  readonly keyword: string;
  readonly args: string[];
}

export type Statement =
  | ClassDeclStmt
  | CommonStmt
  | ClassPermsStmt
  | SidDeclStmt
  | SidContextStmt
  | DefaultStmt
  | SensitivityStmt
  | DominanceStmt
  | CategoryStmt
  | LevelStmt
  | ConstrainStmt
  | PolicycapStmt
  | AttributeStmt
  | TypeStmt
  | TypealiasStmt
  | TypeattributeStmt
  | TypeboundsStmt
  | BoolStmt
  | PermissiveStmt
  | AvRuleStmt
  | XpermRuleStmt
  | TypeRuleStmt
  | RoleStmt
  | RoleAllowStmt
  | RoleTransitionStmt
  | RoleDominanceStmt
  | UserStmt
  | RangeTransitionStmt
  | IfStmt
  | LabelingStmt
  | KeptStmt;

export interface PolicyAst {
  readonly statements: Statement[];
  /** `# handle_unknown X` header comment (checkpolicy -F), when present */
  readonly handleUnknownComment?: 'deny' | 'reject' | 'allow';
  /** how many top-level empty statements (`;`) the file has; absent when none */
  readonly emptyStatements?: number;
}
