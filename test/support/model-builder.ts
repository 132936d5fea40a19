/**
 * A tiny fluent builder for hand-written PolicyModels in tests, independent of the policy parser.
 *
 * Names are resolved in build(), so declarations may come in any order. Conventions match
 * src/policy/model.ts: 1-based values in declaration order, types and attributes share one value
 * space, `object_r` is always role value 1, permission bit = index in the class's perms (common
 * permissions first), dontaudit is stored inverted and AND-merged, allow/auditallow OR-merged.
 *
 * Example:
 *   const model = new ModelBuilder({ mls: true }).mcs()
 *     .cls('file', ['read', 'write', 'getattr', 'open'])
 *     .attribute('domain').type('svirt_t', ['domain'])
 *     .role('system_r', ['domain']).user('system_u', ['system_r'], 's0-s0:c0.c1023')
 *     .allow('svirt_t', 'svirt_image_t', 'file', ['read'])
 *     .mlsconstrain('file', ['read'], [cx.attr(CEXPR_H1H2, CEXPR_DOM)])
 *     .build();
 *
 * Keep this API stable: other helpers' tests import it.
 */
import { CategorySet } from '../../src/context/categories.js';
import { parseRange } from '../../src/context/context.js';
import {
  AVTAB_ALLOWED,
  AVTAB_AUDITALLOW,
  AVTAB_AUDITDENY,
  CEXPR_AND,
  CEXPR_ATTR,
  CEXPR_DOM,
  CEXPR_H1H2,
  CEXPR_NAMES,
  CEXPR_NEQ,
  CEXPR_NOT,
  CEXPR_OR,
  CEXPR_ROLE,
  CEXPR_TYPE,
  CEXPR_USER,
  COND_AND,
  COND_BOOL,
  COND_EQ,
  COND_NEQ,
  COND_NOT,
  COND_OR,
  COND_XOR,
  buildSymbolIndex,
  type AvEntry,
  type AvSpecified,
  type ClassDef,
  type CommonDef,
  type CondExprToken,
  type CondNode,
  type ConstraintDef,
  type ConstraintExprNode,
  type HandleUnknown,
  type PolicyModel,
  type RoleDef,
  type TypeDef,
  type UserDef,
} from '../../src/policy/model.js';

/** A constraint expression node before name resolution. */
export type CexprSpec =
  | { readonly kind: 'not' | 'and' | 'or' }
  | { readonly kind: 'attr'; readonly attr: number; readonly op: number }
  | { readonly kind: 'names'; readonly attr: number; readonly op: number; readonly names: readonly string[] }
  | { readonly kind: 'raw'; readonly node: ConstraintExprNode };

/** Postfix constraint node helpers: `[cx.attr(H1H2, DOM), cx.names(TYPE, NEQ, ['x']), cx.or()]`. */
export const cx = {
  attr: (attr: number, op: number): CexprSpec => ({ kind: 'attr', attr, op }),
  names: (attr: number, op: number, names: readonly string[]): CexprSpec => ({ kind: 'names', attr, op, names }),
  not: (): CexprSpec => ({ kind: 'not' }),
  and: (): CexprSpec => ({ kind: 'and' }),
  or: (): CexprSpec => ({ kind: 'or' }),
  /** an already-resolved node, e.g. to build malformed expressions */
  raw: (node: ConstraintExprNode): CexprSpec => ({ kind: 'raw', node }),
};

export interface RuleSpec {
  readonly kind: 'allow' | 'auditallow' | 'dontaudit';
  readonly source: string;
  readonly target: string;
  readonly cls: string;
  readonly perms: readonly string[];
}

export const rule = {
  allow: (source: string, target: string, cls: string, perms: readonly string[]): RuleSpec => ({ kind: 'allow', source, target, cls, perms }),
  auditallow: (source: string, target: string, cls: string, perms: readonly string[]): RuleSpec => ({ kind: 'auditallow', source, target, cls, perms }),
  dontaudit: (source: string, target: string, cls: string, perms: readonly string[]): RuleSpec => ({ kind: 'dontaudit', source, target, cls, perms }),
};

/** Conditional expression token: a boolean name, an operator name, or a raw token. */
export type CondTokenSpec = string | CondExprToken;

const COND_OPS: Record<string, number> = { not: COND_NOT, '!': COND_NOT, or: COND_OR, '||': COND_OR, and: COND_AND, '&&': COND_AND, xor: COND_XOR, '^': COND_XOR, eq: COND_EQ, '==': COND_EQ, neq: COND_NEQ, '!=': COND_NEQ };

interface TypeSpec {
  name: string;
  attribute: boolean;
  attrs: string[];
  aliases: string[];
  bounds?: string;
  permissive: boolean;
}

interface SensSpec {
  name: string;
  aliases: string[];
  /** inclusive index range of allowed categories, or undefined = every declared category */
  allowed?: [number, number];
}

export class ModelBuilder {
  private readonly mls: boolean;
  private readonly handleUnknown: HandleUnknown;
  private readonly commonSpecs: Array<{ name: string; perms: string[] }> = [];
  private readonly classSpecs: Array<{ name: string; perms: string[]; common?: string }> = [];
  private readonly typeSpecs: TypeSpec[] = [];
  private readonly roleSpecs: Array<{ name: string; types: string[]; dominates: string[] }> = [];
  private readonly userSpecs: Array<{ name: string; roles: string[]; range?: string; level?: string }> = [];
  private readonly boolSpecs: Array<{ name: string; state: boolean }> = [];
  private readonly sensSpecs: SensSpec[] = [];
  private readonly catSpecs: Array<{ name: string; aliases: string[] }> = [];
  private readonly rules: RuleSpec[] = [];
  private readonly condSpecs: Array<{ expr: CondTokenSpec[]; t: RuleSpec[]; f: RuleSpec[] }> = [];
  private readonly constraintSpecs: Array<{ cls: string; perms: string[]; expr: CexprSpec[]; mls: boolean }> = [];
  private readonly roleAllowSpecs: Array<[string, string]> = [];

  constructor(options: { mls?: boolean; handleUnknown?: HandleUnknown } = {}) {
    this.mls = options.mls ?? false;
    this.handleUnknown = options.handleUnknown ?? 'deny';
  }

  /** The refpolicy MCS shape: sensitivity s0 allowing c0..c(n-1). */
  mcs(numCats = 1024): this {
    this.categories(numCats);
    return this.sensitivity('s0');
  }

  /** Append categories c{k}..c{k+n-1} after the ones already declared. */
  categories(n: number): this {
    const start = this.catSpecs.length;
    for (let i = 0; i < n; i++) this.catSpecs.push({ name: `c${start + i}`, aliases: [] });
    return this;
  }

  category(name: string, aliases: string[] = []): this {
    this.catSpecs.push({ name, aliases });
    return this;
  }

  /** Sensitivities in dominance order (first = lowest). `allowed`: inclusive category index range. */
  sensitivity(name: string, options: { aliases?: string[]; allowed?: [number, number] } = {}): this {
    const spec: SensSpec = { name, aliases: options.aliases ?? [] };
    if (options.allowed) spec.allowed = options.allowed;
    this.sensSpecs.push(spec);
    return this;
  }

  common(name: string, perms: string[]): this {
    this.commonSpecs.push({ name, perms });
    return this;
  }

  cls(name: string, perms: string[], options: { common?: string } = {}): this {
    const spec: { name: string; perms: string[]; common?: string } = { name, perms };
    if (options.common) spec.common = options.common;
    this.classSpecs.push(spec);
    return this;
  }

  attribute(name: string): this {
    this.typeSpecs.push({ name, attribute: true, attrs: [], aliases: [], permissive: false });
    return this;
  }

  type(name: string, attrs: string[] = [], options: { aliases?: string[]; bounds?: string; permissive?: boolean } = {}): this {
    const spec: TypeSpec = { name, attribute: false, attrs: [...attrs], aliases: options.aliases ?? [], permissive: options.permissive ?? false };
    if (options.bounds) spec.bounds = options.bounds;
    this.typeSpecs.push(spec);
    return this;
  }

  /** Roles get values after `object_r` (1). `types` may name types or attributes. */
  role(name: string, types: string[] = [], options: { dominates?: string[] } = {}): this {
    this.roleSpecs.push({ name, types, dominates: options.dominates ?? [] });
    return this;
  }

  roleAllow(from: string, to: string): this {
    this.roleAllowSpecs.push([from, to]);
    return this;
  }

  /** `range` (e.g. 's0-s0:c0.c1023') and `level` are parsed with parseRange; ignored in non-MLS models. */
  user(name: string, roles: string[], range?: string, level?: string): this {
    const spec: { name: string; roles: string[]; range?: string; level?: string } = { name, roles };
    if (range !== undefined) spec.range = range;
    if (level !== undefined) spec.level = level;
    this.userSpecs.push(spec);
    return this;
  }

  bool(name: string, defaultState: boolean): this {
    this.boolSpecs.push({ name, state: defaultState });
    return this;
  }

  allow(source: string, target: string, cls: string, perms: readonly string[]): this {
    this.rules.push(rule.allow(source, target, cls, perms));
    return this;
  }

  auditallow(source: string, target: string, cls: string, perms: readonly string[]): this {
    this.rules.push(rule.auditallow(source, target, cls, perms));
    return this;
  }

  dontaudit(source: string, target: string, cls: string, perms: readonly string[]): this {
    this.rules.push(rule.dontaudit(source, target, cls, perms));
    return this;
  }

  /** A conditional block: postfix expression tokens (bool names / operators) and its two rule lists. */
  cond(expr: CondTokenSpec[], trueRules: RuleSpec[], falseRules: RuleSpec[] = []): this {
    this.condSpecs.push({ expr, t: trueRules, f: falseRules });
    return this;
  }

  constrain(cls: string, perms: string[], expr: CexprSpec[]): this {
    this.constraintSpecs.push({ cls, perms, expr, mls: false });
    return this;
  }

  mlsconstrain(cls: string, perms: string[], expr: CexprSpec[]): this {
    this.constraintSpecs.push({ cls, perms, expr, mls: true });
    return this;
  }

  build(): PolicyModel {
    const commons: CommonDef[] = this.commonSpecs.map((c, i) => ({ name: c.name, value: i + 1, perms: [...c.perms] }));
    const classes: ClassDef[] = this.classSpecs.map((c, i) => {
      const common = c.common ? commons.find((x) => x.name === c.common) : undefined;
      if (c.common && !common) throw new Error(`builder: unknown common ${c.common}`);
      const def: ClassDef = { name: c.name, value: i + 1, perms: [...(common?.perms ?? []), ...c.perms], constraints: [], validatetrans: [] };
      if (c.common) return { ...def, common: c.common };
      return def;
    });
    if (classes.some((c) => c.perms.length > 32)) throw new Error('builder: more than 32 permissions in a class');

    const types: TypeDef[] = this.typeSpecs.map((t, i) => ({ name: t.name, value: i + 1, attribute: t.attribute, aliases: [...t.aliases], bounds: 0, permissive: t.permissive }));
    const typeByName = new Map<string, TypeDef>();
    for (const t of types) {
      typeByName.set(t.name, t);
      for (const a of t.aliases) typeByName.set(a, t);
    }
    const typeOf = (name: string): TypeDef => {
      const t = typeByName.get(name);
      if (!t) throw new Error(`builder: unknown type ${name}`);
      return t;
    };
    const attrTypes: number[][] = types.map(() => []);
    const typeAttrMap: number[][] = types.map((t) => [t.value]);
    this.typeSpecs.forEach((spec, i) => {
      const t = types[i]!;
      if (spec.bounds) t.bounds = typeOf(spec.bounds).value;
      for (const a of spec.attrs) {
        const attr = typeOf(a);
        if (!attr.attribute) throw new Error(`builder: ${a} is not an attribute`);
        attrTypes[attr.value - 1]!.push(t.value);
        typeAttrMap[t.value - 1]!.push(attr.value);
      }
    });
    for (const list of [...attrTypes, ...typeAttrMap]) sortUnique(list);
    const expandTypes = (names: readonly string[]): number[] => {
      const out: number[] = [];
      for (const n of names) {
        const t = typeOf(n);
        if (t.attribute) out.push(...attrTypes[t.value - 1]!);
        else out.push(t.value);
      }
      return sortUnique(out);
    };

    const roleSpecs = [{ name: 'object_r', types: [] as string[], dominates: [] as string[] }, ...this.roleSpecs.filter((r) => r.name !== 'object_r')];
    const roles: RoleDef[] = roleSpecs.map((r, i) => ({ name: r.name, value: i + 1, types: expandTypes(r.types), dominates: [i + 1], bounds: 0 }));
    const roleOf = (name: string): RoleDef => {
      const r = roles.find((x) => x.name === name);
      if (!r) throw new Error(`builder: unknown role ${name}`);
      return r;
    };
    roleSpecs.forEach((r, i) => {
      const role = roles[i]!;
      role.dominates = sortUnique([role.value, ...r.dominates.map((d) => roleOf(d).value)]);
    });

    const users: UserDef[] = this.userSpecs.map((u, i) => ({ name: u.name, value: i + 1, roles: sortUnique(u.roles.map((r) => roleOf(r).value)), bounds: 0 }));
    const userOf = (name: string): UserDef => {
      const u = users.find((x) => x.name === name);
      if (!u) throw new Error(`builder: unknown user ${name}`);
      return u;
    };

    const catCount = this.catSpecs.length;
    const sensitivities = this.sensSpecs.map((s, i) => ({
      name: s.name,
      value: i + 1,
      aliases: [...s.aliases],
      allowedCats: s.allowed ? CategorySet.range(s.allowed[0], s.allowed[1]) : catCount > 0 ? CategorySet.range(0, catCount - 1) : new CategorySet(),
    }));
    const categories = this.catSpecs.map((c, i) => ({ name: c.name, value: i + 1, aliases: [...c.aliases] }));
    const bools = this.boolSpecs.map((b, i) => ({ name: b.name, value: i + 1, defaultState: b.state }));

    const classOf = (name: string): ClassDef => {
      const c = classes.find((x) => x.name === name);
      if (!c) throw new Error(`builder: unknown class ${name}`);
      return c;
    };
    const permMask = (cls: ClassDef, perms: readonly string[]): number => {
      let mask = 0;
      for (const p of perms) {
        const bit = cls.perms.indexOf(p);
        if (bit < 0) throw new Error(`builder: unknown permission ${cls.name}:${p}`);
        mask |= 1 << bit;
      }
      return mask >>> 0;
    };
    const toEntries = (specs: readonly RuleSpec[]): AvEntry[] => {
      const out: AvEntry[] = [];
      for (const r of specs) {
        const cls = classOf(r.cls);
        const perms = permMask(cls, r.perms);
        const specified: AvSpecified = r.kind === 'allow' ? AVTAB_ALLOWED : r.kind === 'auditallow' ? AVTAB_AUDITALLOW : AVTAB_AUDITDENY;
        const source = typeOf(r.source).value;
        const target = typeOf(r.target).value;
        const existing = out.find((e) => e.source === source && e.target === target && e.tclass === cls.value && e.specified === specified);
        if (specified === AVTAB_AUDITDENY) {
          const data = ~perms >>> 0;
          if (existing) existing.data = (existing.data & data) >>> 0;
          else out.push({ source, target, tclass: cls.value, specified, data });
        } else if (existing) existing.data = (existing.data | perms) >>> 0;
        else out.push({ source, target, tclass: cls.value, specified, data: perms });
      }
      return out;
    };

    const conds: CondNode[] = this.condSpecs.map((c) => ({
      expr: c.expr.map((tok): CondExprToken => {
        if (typeof tok !== 'string') return tok;
        const op = COND_OPS[tok];
        if (op !== undefined) return { op, bool: 0 };
        const b = bools.find((x) => x.name === tok);
        if (!b) throw new Error(`builder: unknown boolean ${tok}`);
        return { op: COND_BOOL, bool: b.value };
      }),
      trueList: toEntries(c.t),
      falseList: toEntries(c.f),
    }));

    for (const c of this.constraintSpecs) {
      const cls = classOf(c.cls);
      const expr = c.expr.map((n): ConstraintExprNode => {
        switch (n.kind) {
          case 'not':
            return { exprType: CEXPR_NOT, attr: 0, op: 0 };
          case 'and':
            return { exprType: CEXPR_AND, attr: 0, op: 0 };
          case 'or':
            return { exprType: CEXPR_OR, attr: 0, op: 0 };
          case 'attr':
            return { exprType: CEXPR_ATTR, attr: n.attr, op: n.op };
          case 'raw':
            return n.node;
          case 'names': {
            const values =
              n.attr & CEXPR_TYPE
                ? expandTypes(n.names)
                : n.attr & CEXPR_ROLE
                  ? sortUnique(n.names.map((r) => roleOf(r).value))
                  : n.attr & CEXPR_USER
                    ? sortUnique(n.names.map((u) => userOf(u).value))
                    : [];
            return { exprType: CEXPR_NAMES, attr: n.attr, op: n.op, names: values, written: [...n.names] };
          }
        }
      });
      const def: ConstraintDef = { perms: permMask(cls, c.perms), expr, mls: c.mls };
      cls.constraints.push(def);
    }

    const model: PolicyModel = {
      mls: this.mls,
      handleUnknown: this.handleUnknown,
      policyCaps: [],
      commons,
      classes,
      roles,
      types,
      users,
      bools,
      sensitivities,
      categories,
      typeAttrMap,
      attrTypes,
      avtab: toEntries(this.rules),
      conds,
      xperms: [],
      roleAllows: this.roleAllowSpecs.map(([a, b]) => [roleOf(a).value, roleOf(b).value]),
      initialSids: [],
      other: [],
    };

    if (this.mls) {
      const index = buildSymbolIndex(model);
      this.userSpecs.forEach((u, i) => {
        const user = users[i]!;
        if (u.range !== undefined) user.range = parseRange(model, index, u.range);
        if (u.level !== undefined) user.defaultLevel = parseRange(model, index, u.level).low;
      });
    }
    return model;
  }
}

function sortUnique(list: number[]): number[] {
  list.sort((a, b) => a - b);
  let w = 0;
  for (let r = 0; r < list.length; r++) if (r === 0 || list[r] !== list[r - 1]) list[w++] = list[r]!;
  list.length = w;
  return list;
}

/** The sVirt worked example (design.md): svirt_t guests, svirt_image_t disks, the MCS file constraint. */
export function svirtExampleBuilder(): ModelBuilder {
  return new ModelBuilder({ mls: true })
    .mcs()
    .common('file', ['ioctl', 'read', 'write', 'create', 'getattr', 'setattr', 'lock', 'relabelfrom', 'relabelto', 'append', 'unlink', 'link', 'rename', 'execute', 'open'])
    .cls('file', [], { common: 'file' })
    .cls('process', ['fork', 'transition', 'sigchld', 'sigkill', 'sigstop', 'signull', 'signal', 'ptrace', 'getsched', 'setsched', 'getsession', 'getpgid', 'setpgid', 'getcap', 'setcap', 'share', 'getattr', 'setexec', 'setfscreate', 'noatsecure', 'siginh', 'setrlimit', 'rlimitinh', 'dyntransition'])
    .attribute('domain')
    .attribute('file_type')
    .attribute('mcs_constrained_type')
    .attribute('virt_image_type')
    .type('svirt_t', ['domain', 'mcs_constrained_type'])
    .type('svirt_image_t', ['file_type', 'virt_image_type'])
    .type('unconfined_t', ['domain'])
    .type('nfs_t', ['file_type'])
    .role('system_r', ['domain'])
    .role('unconfined_r', ['domain'])
    .user('system_u', ['system_r', 'unconfined_r'], 's0-s0:c0.c1023', 's0')
    .user('user_u', ['unconfined_r'], 's0', 's0')
    .bool('virt_use_nfs', false)
    .allow('svirt_t', 'virt_image_type', 'file', ['read', 'write', 'getattr', 'open', 'append', 'lock', 'ioctl'])
    .allow('unconfined_t', 'file_type', 'file', ['read', 'write', 'getattr', 'open', 'relabelfrom', 'relabelto'])
    .cond(['virt_use_nfs'], [rule.allow('svirt_t', 'nfs_t', 'file', ['read', 'getattr', 'open'])])
    .mlsconstrain(
      'file',
      ['read', 'write', 'append', 'ioctl', 'lock', 'open', 'execute', 'relabelfrom', 'relabelto'],
      // (h1 dom h2) or (t1 != mcs_constrained_type)
      [cx.attr(CEXPR_H1H2, CEXPR_DOM), cx.names(CEXPR_TYPE, CEXPR_NEQ, ['mcs_constrained_type']), cx.or()],
    );
}
