/**
 * MLS levels, ranges and security contexts written in policy statements, resolved to values and
 * validated like libsepol/the kernel (K ss/mls.c mls_level_isvalid / mls_range_isvalid,
 * K ss/policydb.c policydb_context_isvalid, mls_context_isvalid):
 * - a level's categories must be allowed for its sensitivity (the `level` statement);
 * - a range's high level must dominate its low level;
 * - a context's role must hold its type and its user must hold the role (unless the role is
 *   object_r), and in MLS the user's range must contain the context's range (again not for object_r).
 */
import type { CatItem, ContextExpr, LevelExpr, RangeExpr } from '../ast.js';
import { CategorySet } from '../../context/categories.js';
import { OBJECT_R_VALUE, type ContextValue, type MlsLevel, type MlsRange } from '../model.js';
import type { CompileState } from './state.js';

/** Category items → set (bit = value - 1). `c5.c2` (high below low) is an error. */
export function resolveCats(st: CompileState, items: readonly CatItem[]): CategorySet | undefined {
  const set = new CategorySet();
  let ok = true;
  for (const it of items) {
    const lo = st.category(it.low);
    const hi = it.high ? st.category(it.high) : lo;
    if (!lo || !hi) {
      ok = false;
      continue;
    }
    if (hi.value < lo.value) {
      st.error(it.low.pos, `bad category range '${it.low.name}.${it.high!.name}': '${hi.name}' comes before '${lo.name}'`);
      ok = false;
      continue;
    }
    set.addRange(lo.value - 1, hi.value - 1);
  }
  return ok ? set : undefined;
}

export function resolveLevel(st: CompileState, l: LevelExpr): MlsLevel | undefined {
  const sens = st.sensitivity(l.sens);
  const cats = resolveCats(st, l.cats);
  if (!sens || !cats) return undefined;
  if (!sens.allowedCats.contains(cats)) {
    const bad = [...cats].find((i) => !sens.allowedCats.has(i))!;
    const name = st.model.categories[bad]!.name;
    st.error(l.pos, `category '${name}' is not allowed at sensitivity '${sens.name}' (see its 'level' statement)`);
    return undefined;
  }
  return { sens: sens.value, cats };
}

function dominates(a: MlsLevel, b: MlsLevel): boolean {
  return a.sens >= b.sens && a.cats.contains(b.cats);
}

export function resolveRange(st: CompileState, r: RangeExpr): MlsRange | undefined {
  const low = resolveLevel(st, r.low);
  const high = r.high ? resolveLevel(st, r.high) : low;
  if (!low || !high) return undefined;
  if (!dominates(high, low)) {
    st.error(r.high ? r.high.pos : r.pos, `high level does not dominate low level`);
    return undefined;
  }
  return r.high ? { low, high } : { low, high: { sens: low.sens, cats: low.cats.clone() } };
}

/** Resolve and validate a context; reports `what` (e.g. "initial SID kernel") in messages. */
export function resolveContext(st: CompileState, c: ContextExpr, what: string): ContextValue | undefined {
  const user = st.user(c.user);
  const role = st.role(c.role);
  const type = st.primaryType(c.type);
  if (!user || !role || !type) return undefined;
  let range: MlsRange | undefined;
  if (st.model.mls) {
    if (!c.range) {
      st.error(c.pos, `invalid context for ${what}: an MLS policy needs a level (…:s0)`);
      return undefined;
    }
    range = resolveRange(st, c.range);
    if (!range) return undefined;
  } else if (c.range) {
    st.error(c.range.pos, `invalid context for ${what}: levels need an MLS policy (no sensitivities are declared)`);
    return undefined;
  }
  if (role.value !== OBJECT_R_VALUE) {
    if (!role.types.includes(type.value)) {
      st.error(c.type.pos, `invalid context for ${what}: role '${role.name}' is not authorised for type '${type.name}'`);
      return undefined;
    }
    if (!user.roles.includes(role.value)) {
      st.error(c.role.pos, `invalid context for ${what}: user '${user.name}' is not authorised for role '${role.name}'`);
      return undefined;
    }
    if (range && user.range && !(dominates(range.low, user.range.low) && dominates(user.range.high, range.high))) {
      st.error(c.range!.pos, `invalid context for ${what}: range is outside the range of user '${user.name}'`);
      return undefined;
    }
  }
  return range ? { user: user.value, role: role.value, type: type.value, range } : { user: user.value, role: role.value, type: type.value };
}
