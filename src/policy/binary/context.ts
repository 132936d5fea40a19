/**
 * Security contexts inside a binary policy (initial SIDs, ocontexts, genfs):
 * `{user u32, role u32, type u32}` + an MLS range (v>=19, present even in non-MLS policies)
 * (S policydb.c:context_read_and_validate).
 *
 * Validity, as policydb_context_isvalid (S src/context.c, K ss/services.c + ss/mls.c):
 * user/role/type within their tables; unless the role is object_r, the role must be authorised for
 * the type and the user for the role; MLS: the range is valid and, unless the role is object_r,
 * contained in the user's range. Non-MLS policies carry no range in the model.
 *
 * `formatContextText` renders canonical kernel text for OtherStatement arguments.
 */
import { OBJECT_R_VALUE, type ContextValue, type MlsRange } from '../model.js';
import type { Cursor } from './cursor.js';
import { formatRangeText, rangeProblem, readRange } from './mls.js';
import type { SymbolTables } from './symbols.js';
import { sortedHas } from '../../context/context.js';
import { levelDom } from '../../context/mls.js';

function rangeContains(outer: MlsRange, inner: MlsRange): boolean {
  return levelDom(inner.low, outer.low) && levelDom(outer.high, inner.high);
}

export class ContextReader {
  constructor(
    private readonly syms: SymbolTables,
    private readonly mls: boolean,
  ) {}

  /** Read and validate one context; `what` names the record for errors. */
  read(c: Cursor, what: string): ContextValue {
    const at = c.pos;
    const user = c.u32();
    const role = c.u32();
    const type = c.u32();
    const range = readRange(c, `${what} context`);
    const s = this.syms;
    if (user === 0 || user > s.users.length) c.fail(`${what}: context user ${user} out of range 1..${s.users.length}`, at);
    if (role === 0 || role > s.roles.length) c.fail(`${what}: context role ${role} out of range 1..${s.roles.length}`, at + 4);
    if (type === 0 || type > s.types.length) c.fail(`${what}: context type ${type} out of range 1..${s.types.length}`, at + 8);
    const u = s.users[user - 1]!;
    const r = s.roles[role - 1]!;
    if (role !== OBJECT_R_VALUE) {
      if (!sortedHas(r.types, type)) c.fail(`${what}: role ${r.name} is not authorised for type ${s.types[type - 1]!.name}`, at);
      if (!sortedHas(u.roles, role)) c.fail(`${what}: user ${u.name} is not authorised for role ${r.name}`, at);
    }
    if (!this.mls) return { user, role, type };
    const bad = rangeProblem(range, s.sensitivities, s.categories.length);
    if (bad) c.fail(`${what}: invalid context range: ${bad}`, at + 12);
    if (role !== OBJECT_R_VALUE && u.range && !rangeContains(u.range, range)) {
      c.fail(`${what}: context range lies outside user ${u.name}'s range`, at + 12);
    }
    return { user, role, type, range };
  }
}

/** Canonical `user:role:type[:range]` text. */
export function formatContextText(syms: SymbolTables, ctx: ContextValue): string {
  const base = `${syms.users[ctx.user - 1]!.name}:${syms.roles[ctx.role - 1]!.name}:${syms.types[ctx.type - 1]!.name}`;
  return ctx.range ? `${base}:${formatRangeText(ctx.range, syms.sensitivities, syms.categories)}` : base;
}
