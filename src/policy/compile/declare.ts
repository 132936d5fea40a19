/**
 * Declaration passes: give every symbol its value (declaration order, 1-based, as checkpolicy does),
 * then attach what declarations say about each other (class permissions, dominance, attributes,
 * aliases, bounds, levels, roles' types, users).
 *
 * Value rules (S checkpolicy/policy_define.c, S libsepol policydb.c):
 * - classes, commons, types+attributes (one shared value space), bools, users: declaration order;
 * - roles: `object_r` is always value 1 (OBJECT_R_VAL), declared roles follow in first-mention order;
 * - sensitivities: position in `dominance { … }` (value 1 is the lowest);
 * - categories: declaration order, at most 1024 (CategorySet) — more is an unsupported policy;
 * - a class's permission bit = value - 1, the common's permissions first.
 */
import { nameAt, type NameRef, type NameSet, type Statement } from '../ast.js';
import { CategorySet, MAX_CATEGORIES } from '../../context/categories.js';
import { policyUnsupported } from '../../errors.js';
import { OBJECT_R_VALUE, type ClassDef, type RoleDef, type TypeDef } from '../model.js';
import { resolveCats, resolveLevel, resolveRange } from './mls.js';
import { expandRoleSet, expandTypeSet } from './sets.js';
import { sortedUnique, type CompileState } from './state.js';

/** Kernel policy capabilities known to libsepol (S libsepol/src/polcaps.c), in bit order. */
export const POLICY_CAPABILITIES = [
  'network_peer_controls', 'open_perms', 'extended_socket_class', 'always_check_network',
  'cgroup_seclabel', 'nnp_nosuid_transition', 'genfs_seclabel_symlinks', 'ioctl_skip_cloexec',
  'userspace_initial_context', 'netlink_xperm', 'netif_wildcard', 'genfs_seclabel_wildcard',
  'functionfs_seclabel', 'memfd_class',
];

/** Type values are packed into 16-bit avtab key fields (as in the kernel's avtab_key). */
const MAX_TYPES = 0xffff;
const MAX_PERMS = 32;

/** Pass 1: names and values. */
export function declareSymbols(st: CompileState, stmts: readonly Statement[]): void {
  const m = st.model;
  const pendingClasses: Array<{ name: string; value: number }> = [];
  m.roles.push({ name: 'object_r', value: OBJECT_R_VALUE, types: [], dominates: [OBJECT_R_VALUE], bounds: 0 });
  st.roles.set('object_r', m.roles[0]!);
  for (const s of stmts) {
    switch (s.kind) {
      case 'class_decl': {
        if (st.classes.has(s.name.name) || pendingClasses.some((c) => c.name === s.name.name)) {
          st.error(s.name.pos, `duplicate declaration of class '${s.name.name}'`);
          break;
        }
        pendingClasses.push({ name: s.name.name, value: pendingClasses.length + 1 });
        break;
      }
      case 'common': {
        if (st.commons.has(s.name.name)) {
          st.error(s.name.pos, `duplicate declaration of common '${s.name.name}'`);
          break;
        }
        const permBits = new Map<string, number>();
        const perms: string[] = [];
        for (const p of s.perms) addPerm(st, p, permBits, perms, `common '${s.name.name}'`);
        const def = { name: s.name.name, value: st.commons.size + 1, perms };
        st.commons.set(def.name, { def, permBits });
        m.commons.push(def);
        break;
      }
      case 'sid_decl': {
        if (st.sids.has(s.name.name)) {
          st.error(s.name.pos, `duplicate declaration of initial SID '${s.name.name}'`);
          break;
        }
        const sid = { name: s.name.name, sid: m.initialSids.length + 1 };
        st.sids.set(sid.name, sid);
        m.initialSids.push(sid);
        break;
      }
      case 'sensitivity': {
        const names = [s.name, ...s.aliases];
        if (names.some((n) => clash(st, st.sens, n, 'sensitivity'))) break;
        const info = { name: s.name.name, pos: s.name.pos, aliases: s.aliases.map((a) => a.name) };
        for (const n of names) st.sens.set(n.name, info);
        st.sensOrder.push(info);
        break;
      }
      case 'category': {
        const names = [s.name, ...s.aliases];
        if (names.some((n) => clash(st, st.cats, n, 'category'))) break;
        if (m.categories.length >= MAX_CATEGORIES) {
          const l = st.loc(s.pos);
          throw policyUnsupported(
            `${l.file}:${l.line}:${l.column}: more than ${MAX_CATEGORIES} categories are not supported (MCS/MLS policies stop at c1023)`,
          );
        }
        const def = { name: s.name.name, value: m.categories.length + 1, aliases: s.aliases.map((a) => a.name) };
        for (const n of names) st.cats.set(n.name, def);
        m.categories.push(def);
        break;
      }
      case 'attribute':
      case 'type': {
        const names = s.kind === 'type' ? [s.name, ...s.aliases] : [s.name];
        if (names.some((n) => typeClash(st, n))) break;
        if (m.types.length >= MAX_TYPES) {
          st.error(s.name.pos, `too many types and attributes (at most ${MAX_TYPES})`);
          break;
        }
        const def: TypeDef = {
          name: s.name.name,
          value: m.types.length + 1,
          attribute: s.kind === 'attribute',
          aliases: s.kind === 'type' ? s.aliases.map((a) => a.name) : [],
          bounds: 0,
          permissive: false,
        };
        for (const n of names) st.types.set(n.name, def);
        m.types.push(def);
        if (def.attribute) st.members.set(def.value, new Set());
        break;
      }
      case 'bool': {
        if (st.bools.has(s.name.name)) {
          st.error(s.name.pos, `duplicate declaration of boolean '${s.name.name}'`);
          break;
        }
        const def = { name: s.name.name, value: m.bools.length + 1, defaultState: s.value };
        st.bools.set(def.name, def);
        m.bools.push(def);
        break;
      }
      case 'role': {
        // only `role NAME;` declares; `role NAME types …;` needs the role declared (S checkpolicy
        // policy_define.c define_role_types: "unknown role")
        if (!s.types && !st.roles.has(s.name.name)) {
          const def: RoleDef = { name: s.name.name, value: m.roles.length + 1, types: [], dominates: [], bounds: 0 };
          def.dominates.push(def.value);
          st.roles.set(def.name, def);
          m.roles.push(def);
        }
        break;
      }
      case 'user': {
        // a repeated `user` statement adds to the same user (S checkpolicy define_user: declare_user
        // returns the existing datum); see declareRolesAndUsers
        if (st.users.has(s.name.name)) break;
        const def = { name: s.name.name, value: m.users.length + 1, roles: [], bounds: 0 };
        st.users.set(def.name, def);
        m.users.push(def);
        break;
      }
      default:
        break;
    }
  }
  // class permissions need commons; classes are created here with their final shape
  const permsOf = new Map<string, Extract<Statement, { kind: 'class_perms' }>>();
  for (const s of stmts) {
    if (s.kind !== 'class_perms') continue;
    if (!pendingClasses.some((c) => c.name === s.name.name)) {
      st.error(s.name.pos, `class '${s.name.name}' is not declared (add 'class ${s.name.name}' before the permission definitions)`);
      continue;
    }
    if (permsOf.has(s.name.name)) {
      st.error(s.name.pos, `duplicate permission definition for class '${s.name.name}'`);
      continue;
    }
    permsOf.set(s.name.name, s);
  }
  for (const pc of pendingClasses) {
    const s = permsOf.get(pc.name);
    const permBits = new Map<string, number>();
    const perms: string[] = [];
    let common: string | undefined;
    if (s?.inherits) {
      const c = st.commons.get(s.inherits.name);
      if (!c) st.error(s.inherits.pos, `unknown common '${s.inherits.name}'`);
      else {
        common = c.def.name;
        for (const p of c.def.perms) {
          permBits.set(p, perms.length);
          perms.push(p);
        }
      }
    }
    if (s) for (const p of s.perms) addPerm(st, p, permBits, perms, `class '${pc.name}'`);
    const def: ClassDef = common
      ? { name: pc.name, value: pc.value, common, perms, constraints: [], validatetrans: [] }
      : { name: pc.name, value: pc.value, perms, constraints: [], validatetrans: [] };
    st.classes.set(pc.name, { def, permBits, permsDefined: s !== undefined });
    m.classes.push(def);
  }
}

function addPerm(st: CompileState, p: NameRef, bits: Map<string, number>, perms: string[], owner: string): void {
  if (bits.has(p.name)) {
    st.error(p.pos, `duplicate permission '${p.name}' in ${owner}`);
    return;
  }
  if (perms.length >= MAX_PERMS) {
    st.error(p.pos, `too many permissions in ${owner} (at most ${MAX_PERMS})`);
    return;
  }
  bits.set(p.name, perms.length);
  perms.push(p.name);
}

function clash(st: CompileState, table: Map<string, unknown>, n: NameRef, what: string): boolean {
  if (!table.has(n.name)) return false;
  st.error(n.pos, `duplicate declaration of ${what} '${n.name}'`);
  return true;
}

function typeClash(st: CompileState, n: NameRef): boolean {
  if (n.name === 'self') {
    st.error(n.pos, `'self' is reserved and cannot be declared`);
    return true;
  }
  const old = st.types.get(n.name);
  if (!old) return false;
  st.error(n.pos, `duplicate declaration of ${old.attribute ? 'attribute' : 'type'} '${n.name}'`);
  return true;
}

/** Pass 2: dominance, levels, attributes, aliases, bounds, permissive, policy caps, defaults. */
export function declareRelations(st: CompileState, stmts: readonly Statement[]): void {
  const m = st.model;
  let dominanceSeen = false;
  const levelSeen = new Set<string>();
  for (const s of stmts) {
    switch (s.kind) {
      case 'dominance': {
        if (dominanceSeen) {
          st.error(s.pos, `duplicate 'dominance' statement`);
          break;
        }
        dominanceSeen = true;
        for (const n of s.names) {
          const info = st.sens.get(n.name);
          if (!info) {
            st.error(n.pos, `unknown sensitivity '${n.name}'`);
            continue;
          }
          if (info.def) {
            st.error(n.pos, `sensitivity '${n.name}' listed twice in 'dominance'`);
            continue;
          }
          info.def = { name: info.name, value: m.sensitivities.length + 1, aliases: info.aliases, allowedCats: new CategorySet() };
          m.sensitivities.push(info.def);
        }
        break;
      }
      default:
        break;
    }
  }
  if (st.sensOrder.length > 0) {
    if (!dominanceSeen) st.error(st.sensOrder[0]!.pos, `sensitivities are declared but there is no 'dominance' statement`);
    else for (const info of st.sensOrder) if (!info.def) st.error(info.pos, `sensitivity '${info.name}' is not listed in 'dominance'`);
  }
  for (const s of stmts) {
    switch (s.kind) {
      case 'level': {
        const sens = st.sensitivity(s.level.sens);
        if (!sens) break;
        if (levelSeen.has(sens.name)) {
          st.error(s.level.sens.pos, `duplicate 'level' for sensitivity '${sens.name}'`);
          break;
        }
        levelSeen.add(sens.name);
        const cats = resolveCats(st, s.level.cats);
        if (cats) sens.allowedCats = cats;
        break;
      }
      case 'type':
        if (s.attrs.length > 0) {
          const t = st.types.get(s.name.name);
          if (t && !t.attribute && t.name === s.name.name) addAttrs(st, t, s.attrs);
        }
        break;
      case 'typeattribute': {
        const t = st.type(s.name);
        if (!t) break;
        if (t.attribute) {
          st.error(s.name.pos, `'${s.name.name}' is an attribute, not a type`);
          break;
        }
        addAttrs(st, t, s.attrs);
        break;
      }
      case 'typealias': {
        const t = st.type(s.name);
        if (!t) break;
        if (t.attribute) {
          st.error(s.name.pos, `cannot alias attribute '${s.name.name}'`);
          break;
        }
        for (const a of s.aliases) {
          if (typeClash(st, a)) continue;
          st.types.set(a.name, t);
          t.aliases.push(a.name);
        }
        break;
      }
      case 'typebounds': {
        const parent = st.primaryType(s.parent);
        for (const c of s.children) {
          const child = st.primaryType(c);
          if (!parent || !child) continue;
          if (child.bounds !== 0 && child.bounds !== parent.value) {
            st.error(c.pos, `type '${child.name}' already has a different bounding type`);
            continue;
          }
          if (child === parent) {
            st.error(c.pos, `type '${child.name}' cannot bound itself`);
            continue;
          }
          child.bounds = parent.value;
        }
        break;
      }
      case 'permissive': {
        const t = st.primaryType(s.name);
        if (t) t.permissive = true;
        break;
      }
      case 'policycap': {
        if (!POLICY_CAPABILITIES.includes(s.name.name)) st.error(s.name.pos, `unknown policy capability '${s.name.name}'`);
        else if (!m.policyCaps.includes(s.name.name)) m.policyCaps.push(s.name.name);
        break;
      }
      case 'default_user':
      case 'default_role':
      case 'default_type':
      case 'default_range':
        applyDefault(st, s);
        break;
      case 'kept':
        if (s.keyword === 'expandattribute' && s.args[1] === 'true') markExpanded(st, s);
        break;
      default:
        break;
    }
  }
}

function markExpanded(st: CompileState, s: Extract<Statement, { kind: 'kept' }>): void {
  // args[0] is the attribute set text; resolve each plain name
  const names = s.args[0]!.replace(/[{}]/g, ' ').split(/\s+/).filter((n) => n !== '');
  for (const n of names) {
    const t = st.types.get(n);
    if (!t || !t.attribute) {
      st.error(s.pos, `expandattribute: '${n}' is not an attribute`);
      continue;
    }
    st.expandedAttrs.add(t.value);
  }
}

function addAttrs(st: CompileState, t: TypeDef, attrs: readonly NameRef[]): void {
  for (const a of attrs) {
    const attr = st.attribute(a);
    if (attr) st.members.get(attr.value)!.add(t.value);
  }
}

function applyDefault(st: CompileState, s: Extract<Statement, { kind: 'default_user' | 'default_role' | 'default_type' | 'default_range' }>): void {
  const which = s.kind.slice('default_'.length) as 'user' | 'role' | 'type' | 'range';
  for (const c of classSetNames(st, s.classes)) {
    const info = st.classes.get(c.name);
    if (!info) {
      st.error(c.pos, `unknown class '${c.name}'`);
      continue;
    }
    const d = (info.def.defaults ??= {});
    // the same default twice is accepted; a different one is not (S checkpolicy define_default_*:
    // "conflicting default … information")
    if (d[which] !== undefined && d[which] !== s.value) {
      st.error(c.pos, `conflicting ${s.kind} for class '${c.name}' (already '${d[which]}')`);
      continue;
    }
    if (which === 'range') d.range = s.value;
    else d[which] = s.value as 'source' | 'target';
  }
}

/** Plain class names of a default_* set (no `*`/`~` there, as in checkpolicy). */
function classSetNames(st: CompileState, set: NameSet): NameRef[] {
  if (set.star || set.complement || set.excluded.length > 0) {
    st.error(set.pos, `only class names are allowed here`);
    return [];
  }
  return set.names.map((_, i) => nameAt(set, i));
}

/**
 * After pass 2: attribute membership is final. Builds typeAttrMap (K type_attr_map: the type itself
 * plus every attribute containing it; attributes flagged `expandattribute true` are left out, as
 * libsepol does) and attrTypes.
 */
export function finalizeTypes(st: CompileState): void {
  const m = st.model;
  const n = m.types.length;
  const attrOf: number[][] = [];
  const primary: number[] = [];
  for (let v = 1; v <= n; v++) {
    attrOf.push([v]);
    if (!m.types[v - 1]!.attribute) primary.push(v);
  }
  m.attrTypes = new Array<number[]>(n);
  for (let v = 1; v <= n; v++) {
    const members = st.members.get(v);
    if (!members) {
      m.attrTypes[v - 1] = [];
      continue;
    }
    const sorted = sortedUnique(members);
    m.attrTypes[v - 1] = sorted;
    if (st.expandedAttrs.has(v)) continue;
    for (const t of sorted) attrOf[t - 1]!.push(v);
  }
  // attribute values were appended in ascending order after the type itself; sort to be exact
  m.typeAttrMap = attrOf.map((a) => (a.length > 1 ? sortedUnique(a) : a));
  st.primaryTypes = primary;
}

/** Pass 3: roles' types and dominance, users. Needs final attributes and MLS levels. */
export function declareRolesAndUsers(st: CompileState, stmts: readonly Statement[]): void {
  const m = st.model;
  const roleTypes = new Map<number, Set<number>>();
  for (const s of stmts) {
    if (s.kind === 'role' && s.types) {
      const r = st.roles.get(s.name.name);
      if (!r) {
        st.error(s.name.pos, `unknown role '${s.name.name}' (declare it with 'role ${s.name.name};' first)`);
        continue;
      }
      const ex = expandTypeSet(st, s.types, true, false);
      if (!ex) continue;
      let set = roleTypes.get(r.value);
      if (!set) roleTypes.set(r.value, (set = new Set()));
      for (const t of ex.values) set.add(t);
    } else if (s.kind === 'role_dominance') {
      for (const [hi, lo] of s.pairs) {
        const a = st.role(hi);
        const b = st.role(lo);
        if (a && b && !a.dominates.includes(b.value)) a.dominates.push(b.value);
      }
    }
  }
  for (const r of m.roles) r.types = sortedUnique(roleTypes.get(r.value) ?? []);
  // dominance is transitive and a dominating role holds the types of the roles it dominates
  // (S libsepol expand.c role_fix_callback)
  for (const r of m.roles) {
    const seen = new Set<number>([r.value]);
    const stack = [...r.dominates];
    const types = new Set(r.types);
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (seen.has(v)) continue;
      seen.add(v);
      const d = m.roles[v - 1]!;
      for (const t of d.types) types.add(t);
      stack.push(...d.dominates);
    }
    r.dominates = sortedUnique(seen);
    r.types = sortedUnique(types);
  }
  for (const s of stmts) {
    if (s.kind !== 'user') continue;
    const u = st.users.get(s.name.name);
    if (!u) continue;
    // repeated statements: roles accumulate, the last level and range apply
    const roles = expandRoleSet(st, s.roles);
    if (roles) u.roles = u.roles.length === 0 ? roles : sortedUnique([...u.roles, ...roles]);
    if (m.mls) {
      if (!s.level || !s.range) {
        st.error(s.name.pos, `user '${s.name.name}' needs 'level' and 'range' in an MLS policy`);
        continue;
      }
      const level = resolveLevel(st, s.level);
      const range = resolveRange(st, s.range);
      if (!level || !range) continue;
      if (!levelWithin(level, range)) {
        st.error(s.level.pos, `default level of user '${s.name.name}' is not within the user's range`);
        continue;
      }
      u.defaultLevel = level;
      u.range = range;
    } else if (s.level) {
      st.error(s.level.pos, `'level' and 'range' need an MLS policy (no sensitivities are declared)`);
    }
  }
}

function levelWithin(l: { sens: number; cats: CategorySet }, r: { low: { sens: number; cats: CategorySet }; high: { sens: number; cats: CategorySet } }): boolean {
  const dom = (a: typeof l, b: typeof l): boolean => a.sens >= b.sens && a.cats.contains(b.cats);
  return dom(l, r.low) && dom(r.high, l);
}
