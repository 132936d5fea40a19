/**
 * Set expansion with libsepol's semantics (S libsepol/src/expand.c type_set_expand,
 * role_set_expand; S checkpolicy/policy_define.c define_te_avtab_helper).
 *
 * Type sets: when a set is positive names only and `alwaysExpand` is off, the names are kept as
 * written — an attribute stays an attribute (it becomes an avtab key, expanded at decision time via
 * typeAttrMap). Otherwise attributes become their member types, `-x` removes, `*` is every primary
 * type, `~` complements over primary types (attributes never appear in an expanded set).
 * Attributes marked `expandattribute … true` are always expanded.
 */
import { excludedAt, nameAt, type NameRef, type NameSet } from '../ast.js';
import type { ClassInfo, CompileState } from './state.js';
import { sortedUnique } from './state.js';

export interface ExpandedTypes {
  /** type or attribute values, ascending */
  readonly values: number[];
  /** the set named `self` */
  readonly self: boolean;
}

const NO_SELF_EMPTY: ExpandedTypes = { values: [], self: false };

/**
 * Returns undefined when a name is unknown (already reported). `self` is accepted only when
 * `allowSelf` (target sets of rules); it never appears in `values`.
 */
export function expandTypeSet(st: CompileState, set: NameSet, alwaysExpand: boolean, allowSelf: boolean): ExpandedTypes | undefined {
  const m = st.model;
  // fast path: one plain name
  if (set.names.length === 1 && set.excluded.length === 0 && !set.star && !set.complement) {
    const name = set.names[0]!;
    if (name === 'self') return selfOnly(st, nameAt(set, 0), allowSelf);
    const t = st.types.get(name);
    if (!t) {
      st.type(nameAt(set, 0)); // reports
      return undefined;
    }
    if (t.attribute && (alwaysExpand || st.expandedAttrs.has(t.value))) return { values: m.attrTypes[t.value - 1] ?? [], self: false };
    return { values: [t.value], self: false };
  }
  let self = false;
  let ok = true;
  const pos: number[] = [];
  for (let i = 0; i < set.names.length; i++) {
    const ref = nameAt(set, i);
    if (ref.name === 'self') {
      if (!allowSelf) {
        st.error(ref.pos, `'self' is only allowed in the target of a rule`);
        ok = false;
      } else self = true;
      continue;
    }
    const t = st.type(ref);
    if (!t) ok = false;
    else pos.push(t.value);
  }
  const neg: number[] = [];
  for (let i = 0; i < set.excluded.length; i++) {
    const ref = excludedAt(set, i);
    if (ref.name === 'self') {
      st.error(ref.pos, `'self' cannot be excluded`);
      ok = false;
      continue;
    }
    const t = st.type(ref);
    if (!t) ok = false;
    else neg.push(t.value);
  }
  if (!ok) return undefined;
  if (set.complement && self) {
    st.error(set.pos, `'self' cannot be complemented`);
    return undefined;
  }
  const expand = alwaysExpand || neg.length > 0 || set.star || set.complement;
  const included = new Set<number>();
  for (const v of pos) {
    const t = m.types[v - 1]!;
    if (t.attribute && (expand || st.expandedAttrs.has(v))) for (const x of m.attrTypes[v - 1] ?? []) included.add(x);
    else included.add(v);
  }
  const excluded = new Set<number>();
  for (const v of neg) {
    const t = m.types[v - 1]!;
    if (t.attribute) for (const x of m.attrTypes[v - 1] ?? []) excluded.add(x);
    else excluded.add(v);
  }
  let values: number[];
  if (set.star) {
    values = st.primaryTypes.filter((v) => !excluded.has(v));
  } else {
    const kept: number[] = [];
    for (const v of included) if (!excluded.has(v)) kept.push(v);
    values = sortedUnique(kept);
    if (set.complement) {
      const inSet = new Set(values);
      values = st.primaryTypes.filter((v) => !inSet.has(v));
    }
  }
  return { values, self };
}

function selfOnly(st: CompileState, ref: NameRef, allowSelf: boolean): ExpandedTypes | undefined {
  if (!allowSelf) {
    st.error(ref.pos, `'self' is only allowed in the target of a rule`);
    return undefined;
  }
  return { ...NO_SELF_EMPTY, self: true };
}

/** Class sets: names, `*` (all classes), `~` (complement), `-x`. Values ascending. */
export function expandClassSet(st: CompileState, set: NameSet): ClassInfo[] | undefined {
  const all = st.model.classes;
  let ok = true;
  const chosen = new Set<number>();
  if (set.star) for (const c of all) chosen.add(c.value);
  for (let i = 0; i < set.names.length; i++) {
    const c = st.classes.get(set.names[i]!) ?? st.cls(nameAt(set, i));
    if (!c) ok = false;
    else chosen.add(c.def.value);
  }
  for (let i = 0; i < set.excluded.length; i++) {
    const c = st.cls(excludedAt(set, i));
    if (!c) ok = false;
    else chosen.delete(c.def.value);
  }
  if (!ok) return undefined;
  let values = sortedUnique(chosen);
  if (set.complement) values = all.map((c) => c.value).filter((v) => !chosen.has(v));
  return values.map((v) => st.classes.get(all[v - 1]!.name)!);
}

/** All declared permission bits of a class (S checkpolicy PERMISSION_MASK(nprim)). */
export function classMask(c: ClassInfo): number {
  const n = c.def.perms.length;
  return n >= 32 ? 0xffffffff : (2 ** n - 1) >>> 0;
}

/**
 * Permission set → mask per class (same order as `classes`). A name must exist in at least one of
 * the classes (checkpolicy reports it otherwise); `*` is every declared permission; `~` complements
 * within the declared permissions. Returns undefined after reporting an error.
 */
export function permMasks(st: CompileState, set: NameSet, classes: readonly ClassInfo[]): number[] | undefined {
  if (set.excluded.length > 0) {
    st.error(excludedAt(set, 0).pos, `'-' is not allowed in a permission set`);
    return undefined;
  }
  const masks = new Array<number>(classes.length).fill(0);
  let ok = true;
  for (let k = 0; k < set.names.length; k++) {
    const name = set.names[k]!;
    let found = false;
    for (let i = 0; i < classes.length; i++) {
      const bit = classes[i]!.permBits.get(name);
      if (bit === undefined) continue;
      found = true;
      masks[i] = (masks[i]! | (1 << bit)) >>> 0;
    }
    if (!found && classes.length > 0) {
      const names = classes.map((c) => c.def.name);
      st.error(nameAt(set, k).pos, `permission '${name}' is not defined for class${names.length > 1 ? 'es' : ''} '${names.join("', '")}'`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  for (let i = 0; i < classes.length; i++) {
    const full = classMask(classes[i]!);
    if (set.star) masks[i] = full;
    else if (set.complement) masks[i] = ~masks[i]! & full;
    masks[i] = masks[i]! >>> 0;
  }
  return masks;
}

/** Role sets (S libsepol role_set_expand): names, `*` (every role), `~` complement. Sorted values. */
export function expandRoleSet(st: CompileState, set: NameSet): number[] | undefined {
  const all = st.model.roles;
  if (set.star) return all.map((r) => r.value);
  let ok = true;
  const chosen = new Set<number>();
  for (let i = 0; i < set.names.length; i++) {
    const r = st.role(nameAt(set, i));
    if (!r) ok = false;
    else chosen.add(r.value);
  }
  for (let i = 0; i < set.excluded.length; i++) {
    const r = st.role(excludedAt(set, i));
    if (!r) ok = false;
    else chosen.delete(r.value);
  }
  if (!ok) return undefined;
  if (set.complement) return all.map((r) => r.value).filter((v) => !chosen.has(v));
  return sortedUnique(chosen);
}
