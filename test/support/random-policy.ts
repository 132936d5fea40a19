/**
 * Seeded random PolicyModels and contexts for differential tests (Wasm engine vs the plain-TS
 * reference). Everything derives from one 32-bit seed so a failure can be replayed exactly.
 *
 * A generated model has: primary types and attributes (avtab keys use both), allow / auditallow /
 * dontaudit entries (dontaudit stored inverted, AND-merged), booleans and cond nodes (occasionally
 * malformed expressions), constraints over every node kind, attribute and operator (including
 * invalid combinations, overflowing stacks and XTARGET, which must all evaluate to false), roles
 * with `dominates` and role allow, typebounds chains (depth ≤ 2), permissive types, MLS with 1..3
 * sensitivities and 8 / 64 / 1024 categories, and sometimes a `process` class with
 * transition/dyntransition.
 */
import { CategorySet } from '../../src/context/categories.js';
import { contextIsValid } from '../../src/context/context.js';
import {
  AVTAB_ALLOWED,
  AVTAB_AUDITALLOW,
  AVTAB_AUDITDENY,
  CEXPR_AND,
  CEXPR_ATTR,
  CEXPR_NAMES,
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
  COND_NEQ,
  COND_NOT,
  COND_OR,
  COND_XOR,
  OBJECT_R_VALUE,
  type AvEntry,
  type AvSpecified,
  type ClassDef,
  type CondExprToken,
  type ConstraintExprNode,
  type ContextValue,
  type HandleUnknown,
  type MlsLevel,
  type PolicyModel,
  type TypeDef,
} from '../../src/policy/model.js';

/** mulberry32: small, fast, good enough for test data. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  u32(): number {
    return (Math.floor(this.next() * 0x10000) * 0x10000 + Math.floor(this.next() * 0x10000)) >>> 0;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  subset(xs: readonly number[], p: number): number[] {
    return xs.filter(() => this.chance(p));
  }
}

const ATTR_KINDS = [CEXPR_USER, CEXPR_ROLE, CEXPR_TYPE, 32, 64, 128, 256, 512, 1024];

function sortedUnique(xs: number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

function randomCats(rng: Rng, ncats: number, p: number): CategorySet {
  const set = new CategorySet();
  if (ncats === 0) return set;
  const mode = rng.int(0, 3);
  if (mode === 0) return set;
  if (mode === 1) {
    const a = rng.int(0, ncats - 1);
    return set.addRange(a, rng.int(a, Math.min(ncats - 1, a + 40)));
  }
  const n = rng.int(1, 6);
  for (let i = 0; i < n; i++) set.add(rng.int(0, ncats - 1));
  if (mode === 3) for (let i = 0; i < ncats; i++) if (rng.chance(p)) set.add(i);
  return set;
}

function randomCexpr(rng: Rng, model: { nusers: number; nroles: number; primary: number[]; attrs: number[]; attrTypes: number[][] }): ConstraintExprNode[] {
  // build a random tree, then emit postfix; depth of the stack follows the tree shape
  const out: ConstraintExprNode[] = [];
  const leaf = (): void => {
    if (rng.chance(0.5)) {
      const attr = rng.chance(0.9) ? rng.pick(ATTR_KINDS) : rng.pick([0, 8, 2048, 3]);
      out.push({ exprType: CEXPR_ATTR, attr, op: rng.int(rng.chance(0.95) ? 1 : 0, rng.chance(0.95) ? 5 : 7) });
      return;
    }
    const kind = rng.pick([CEXPR_USER, CEXPR_ROLE, CEXPR_TYPE]);
    let attr = kind | (rng.chance(0.5) ? CEXPR_TARGET : 0);
    if (rng.chance(0.03)) attr = kind | CEXPR_XTARGET;
    if (rng.chance(0.02)) attr = CEXPR_TARGET;
    let names: number[];
    if (kind === CEXPR_TYPE) {
      const pickFrom = rng.chance(0.5) && model.attrs.length > 0 ? model.attrTypes[rng.pick(model.attrs) - 1]! : rng.subset(model.primary, 0.3);
      names = sortedUnique([...pickFrom]);
    } else {
      const n = kind === CEXPR_USER ? model.nusers : model.nroles;
      names = sortedUnique(rng.subset(Array.from({ length: n }, (_, i) => i + 1), 0.4));
    }
    out.push({ exprType: CEXPR_NAMES, attr, op: rng.chance(0.97) ? rng.int(1, 2) : rng.int(3, 5), names });
  };
  const tree = (depth: number): void => {
    const r = rng.next();
    if (depth >= 4 || r < 0.4) return leaf();
    if (r < 0.55) {
      tree(depth + 1);
      out.push({ exprType: CEXPR_NOT, attr: 0, op: 0 });
      return;
    }
    tree(depth + 1);
    tree(depth + 1);
    out.push({ exprType: rng.chance(0.5) ? CEXPR_AND : CEXPR_OR, attr: 0, op: 0 });
  };
  tree(0);
  // rare garbage: an extra operand (final depth 2), an underflowing operator, an unknown node
  if (rng.chance(0.03)) leaf();
  if (rng.chance(0.02)) out.unshift({ exprType: CEXPR_AND, attr: 0, op: 0 });
  if (rng.chance(0.02)) out.push({ exprType: 9, attr: 0, op: 0 });
  return out;
}

function randomCondExpr(rng: Rng, nbools: number): CondExprToken[] {
  const out: CondExprToken[] = [];
  const tree = (depth: number): void => {
    if (depth >= 3 || rng.chance(0.45)) {
      out.push({ op: COND_BOOL, bool: rng.int(1, nbools) });
      return;
    }
    if (rng.chance(0.2)) {
      tree(depth + 1);
      out.push({ op: COND_NOT, bool: 0 });
      return;
    }
    tree(depth + 1);
    tree(depth + 1);
    out.push({ op: rng.pick([COND_OR, COND_AND, COND_XOR, COND_EQ, COND_NEQ]), bool: 0 });
  };
  tree(0);
  if (rng.chance(0.05)) out.push({ op: COND_AND, bool: 0 }); // malformed: underflow → both lists off
  return out;
}

export interface RandomPolicyOptions {
  handleUnknown?: HandleUnknown;
}

/** A random, internally consistent PolicyModel. */
export function randomPolicy(seed: number, options: RandomPolicyOptions = {}): PolicyModel {
  const rng = new Rng(seed);
  const mls = rng.chance(0.85);
  const nsens = mls ? rng.int(1, 3) : 0;
  const ncats = mls ? rng.pick([8, 64, 1024]) : 0;

  // types: attributes interleaved with primary types
  const ntypes = rng.int(6, 18);
  const nattrs = rng.int(1, 6);
  const types: TypeDef[] = [];
  for (let v = 1; v <= ntypes + nattrs; v++) {
    const attribute = v > 1 && rng.chance(nattrs / (ntypes + nattrs));
    types.push({ name: `${attribute ? 'attr' : 't'}${v}`, value: v, attribute, aliases: [], bounds: 0, permissive: false });
  }
  const primary = types.filter((t) => !t.attribute).map((t) => t.value);
  const attrs = types.filter((t) => t.attribute).map((t) => t.value);
  const attrTypes: number[][] = types.map(() => []);
  const typeAttrMap: number[][] = types.map((t) => [t.value]);
  for (const a of attrs) {
    for (const t of primary) {
      if (rng.chance(0.4)) {
        attrTypes[a - 1]!.push(t);
        typeAttrMap[t - 1]!.push(a);
      }
    }
  }
  for (const l of typeAttrMap) l.sort((a, b) => a - b);
  // typebounds: bound to a lower primary value, chains of depth ≤ 2
  const depth = new Map<number, number>();
  for (const t of primary) {
    const lower = primary.filter((p) => p < t && (depth.get(p) ?? 0) < 2);
    if (lower.length > 0 && rng.chance(0.2)) {
      const b = rng.pick(lower);
      types[t - 1]!.bounds = b;
      depth.set(t, (depth.get(b) ?? 0) + 1);
    }
    if (rng.chance(0.1)) types[t - 1]!.permissive = true;
  }

  // classes (maybe a `process` class with transition + dyntransition)
  const nclasses = rng.int(1, 4);
  const classes: ClassDef[] = [];
  for (let c = 1; c <= nclasses; c++) {
    const nperms = rng.chance(0.15) ? 32 : rng.int(1, 12);
    const perms = Array.from({ length: nperms }, (_, i) => `p${i}`);
    let name = `class${c}`;
    if (c === 1 && rng.chance(0.6)) {
      name = 'process';
      perms[0] = 'transition';
      if (nperms > 3) perms[3] = 'dyntransition';
    }
    classes.push({ name, value: c, perms, constraints: [], validatetrans: [] });
  }

  // roles (object_r = 1), users
  const nroles = rng.int(2, 5);
  const roles = Array.from({ length: nroles }, (_, i) => ({
    name: i === 0 ? 'object_r' : `r${i + 1}`,
    value: i + 1,
    types: i === 0 ? [] : sortedUnique(rng.subset(primary, 0.6)),
    dominates: [i + 1],
    bounds: 0,
  }));
  for (const r of roles) r.dominates = sortedUnique([r.value, ...rng.subset(roles.map((x) => x.value), 0.3)]);
  const roleAllows: Array<[number, number]> = [];
  for (const a of roles) for (const b of roles) if (a !== b && rng.chance(0.3)) roleAllows.push([a.value, b.value]);

  const sensitivities = Array.from({ length: nsens }, (_, i) => ({
    name: `s${i}`,
    value: i + 1,
    aliases: [],
    allowedCats: CategorySet.range(0, ncats - 1),
  }));
  const categories = Array.from({ length: ncats }, (_, i) => ({ name: `c${i}`, value: i + 1, aliases: [] }));
  const fullRange = mls
    ? { low: { sens: 1, cats: new CategorySet() }, high: { sens: nsens, cats: CategorySet.range(0, ncats - 1) } }
    : undefined;
  const nusers = rng.int(1, 3);
  const users = Array.from({ length: nusers }, (_, i) => ({
    name: `u${i + 1}`,
    value: i + 1,
    roles: sortedUnique([rng.int(2, nroles), ...rng.subset(roles.map((r) => r.value).filter((v) => v > 1), 0.5)]),
    bounds: 0,
    ...(fullRange ? { range: fullRange, defaultLevel: fullRange.low } : {}),
  }));

  // avtab
  const keys = [...primary, ...attrs];
  const avtab: AvEntry[] = [];
  const addEntry = (list: AvEntry[], e: AvEntry): void => {
    const same = list.find((x) => x.source === e.source && x.target === e.target && x.tclass === e.tclass && x.specified === e.specified);
    if (!same) list.push(e);
    else same.data = (e.specified === AVTAB_AUDITDENY ? same.data & e.data : same.data | e.data) >>> 0;
  };
  const randomEntry = (): AvEntry => {
    const tclass = rng.int(1, nclasses);
    const np = classes[tclass - 1]!.perms.length;
    const mask = np === 32 ? 0xffffffff : (1 << np) - 1;
    const specified: AvSpecified = rng.pick([AVTAB_ALLOWED, AVTAB_ALLOWED, AVTAB_ALLOWED, AVTAB_AUDITALLOW, AVTAB_AUDITDENY]);
    const perms = (rng.u32() & mask & (rng.chance(0.5) ? rng.u32() : 0xffffffff)) >>> 0 || 1;
    return { source: rng.pick(keys), target: rng.pick(keys), tclass, specified, data: specified === AVTAB_AUDITDENY ? ~perms >>> 0 : perms };
  };
  const nrules = rng.int(10, 80);
  for (let i = 0; i < nrules; i++) addEntry(avtab, randomEntry());

  const nbools = rng.int(0, 4);
  const bools = Array.from({ length: nbools }, (_, i) => ({ name: `b${i + 1}`, value: i + 1, defaultState: rng.chance(0.5) }));
  const conds =
    nbools === 0
      ? []
      : Array.from({ length: rng.int(1, 4) }, () => {
          const trueList: AvEntry[] = [];
          const falseList: AvEntry[] = [];
          for (let i = rng.int(0, 8); i > 0; i--) addEntry(trueList, randomEntry());
          for (let i = rng.int(0, 5); i > 0; i--) addEntry(falseList, randomEntry());
          return { expr: randomCondExpr(rng, nbools), trueList, falseList };
        });

  for (const c of classes) {
    const np = c.perms.length;
    const mask = np === 32 ? 0xffffffff : (1 << np) - 1;
    for (let i = rng.int(0, 3); i > 0; i--) {
      c.constraints.push({
        perms: (rng.u32() & mask) >>> 0 || 1,
        expr: randomCexpr(rng, { nusers, nroles, primary, attrs, attrTypes }),
        mls: rng.chance(0.5),
      });
    }
  }

  return {
    mls,
    handleUnknown: options.handleUnknown ?? 'deny',
    policyCaps: [],
    commons: [],
    classes,
    roles,
    types,
    users,
    bools,
    sensitivities,
    categories,
    typeAttrMap,
    attrTypes,
    avtab,
    conds,
    xperms: [],
    roleAllows,
    initialSids: [],
    other: [],
  };
}

/**
 * Up to `n` distinct valid contexts of `model` (user/role/type combinations the policy authorises,
 * MLS ranges inside the user's range). Works for any model, including the embedded policy.
 */
export function randomContexts(model: PolicyModel, rng: Rng, n: number): ContextValue[] {
  const out: ContextValue[] = [];
  const primary = model.types.filter((t) => !t.attribute);
  if (primary.length === 0 || model.users.length === 0) return out;
  for (let tries = 0; out.length < n && tries < n * 50; tries++) {
    const user = rng.pick(model.users);
    const objectR = rng.chance(0.4) || user.roles.length === 0;
    const role = objectR ? OBJECT_R_VALUE : rng.pick(user.roles);
    const roleDef = model.roles[role - 1];
    if (!roleDef) continue;
    const typeValues = objectR || roleDef.types.length === 0 ? primary.map((t) => t.value) : roleDef.types;
    const type = rng.pick(typeValues);
    let ctx: ContextValue = { user: user.value, role, type };
    if (model.mls) {
      const ur = user.range;
      if (!ur) continue;
      const ncats = model.categories.length;
      const pickCats = (within: CategorySet, base: CategorySet): CategorySet => {
        const extra = randomCats(rng, ncats, 0.05).intersect(within);
        return base.union(extra);
      };
      const lowSens = rng.int(ur.low.sens, ur.high.sens);
      const highSens = rng.int(lowSens, ur.high.sens);
      const lowCats = pickCats(ur.high.cats, ur.low.cats);
      const highCats = rng.chance(0.5) ? lowCats.clone() : pickCats(ur.high.cats, lowCats);
      const low: MlsLevel = { sens: lowSens, cats: lowCats };
      const high: MlsLevel = { sens: highSens, cats: highCats };
      ctx = { ...ctx, range: { low, high } };
    }
    if (contextIsValid(model, ctx)) out.push(ctx);
  }
  return out;
}
