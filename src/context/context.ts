/**
 * Security contexts `user:role:type[:low[-high]]`: parse, validate and format exactly as the kernel
 * and libsepol do (docs/selinux-semantics.md).
 *
 * Parsing follows K ss/services.c:string_to_context_struct and K ss/mls.c:mls_context_to_sid:
 * user up to the first `:`, role up to the second, type up to the next `:` or the end; the rest is
 * the MLS field, split once at the first `-`; each level is `sens[:cat,cat.cat,...]`. Lookups go
 * through the SymbolIndex, so aliases are accepted on input; output always uses canonical names.
 * Validation follows policydb_context_isvalid / mls_context_isvalid, in the kernel's order.
 *
 * Every rejection is a ContextError naming the kind, the part and the character offset (UTF-16
 * index into the input) where the faulty part starts. Nothing here throws anything else for any
 * input string.
 */
import { CategorySet, MAX_CATEGORIES, formatCategories } from './categories.js';
import { levelDom, levelEq, rangeContains } from './mls.js';
import { ContextError, quoteInput, stateError, type ContextErrorKind, type ContextPart } from '../errors.js';
import {
  OBJECT_R_VALUE,
  type ContextValue,
  type MlsLevel,
  type MlsRange,
  type PolicyModel,
  type SymbolIndex,
} from '../policy/model.js';

/** One category token of a level as written: where it starts and the index range it set. */
interface CatToken {
  readonly offset: number;
  readonly lo: number;
  readonly hi: number;
}

/** A parsed level plus the source positions needed for validation messages. */
interface ParsedLevel {
  readonly level: MlsLevel;
  readonly offset: number;
  readonly tokens: CatToken[];
}

interface ParsedRange {
  readonly range: MlsRange;
  readonly low: ParsedLevel;
  /** the high part, absent when the text had no `-` (high is then a copy of low) */
  readonly high?: ParsedLevel;
}

function fail(kind: ContextErrorKind, part: ContextPart, offset: number, input: string, detail: string): never {
  throw new ContextError(kind, part, offset, input, detail);
}

/**
 * Parse and validate a full context. Throws ContextError for every invalid input (see the module
 * comment); returns the symbol values, with `range` present iff the policy is MLS.
 */
export function parseContext(model: PolicyModel, index: SymbolIndex, text: string): ContextValue {
  if (text.length === 0) fail('empty', 'context', 0, text, 'empty context');
  // The kernel works on a NUL-terminated copy; an embedded NUL would silently truncate. Reject it.
  const nul = text.indexOf('\0');
  if (nul >= 0) fail('malformed', 'context', nul, text, 'NUL character in context');

  // user
  const c1 = text.indexOf(':');
  if (c1 < 0) fail('malformed', 'role', text.length, text, "missing ':' after the user");
  const userName = text.slice(0, c1);
  if (userName.length === 0) fail('empty-part', 'user', 0, text, 'empty user');
  const user = index.users.get(userName);
  if (!user) fail('unknown-user', 'user', 0, text, `unknown user ${quoteInput(userName)}`);

  // role
  const roleAt = c1 + 1;
  const c2 = text.indexOf(':', roleAt);
  if (c2 < 0) fail('malformed', 'type', text.length, text, "missing ':' after the role");
  const roleName = text.slice(roleAt, c2);
  if (roleName.length === 0) fail('empty-part', 'role', roleAt, text, 'empty role');
  const role = index.roles.get(roleName);
  if (!role) fail('unknown-role', 'role', roleAt, text, `unknown role ${quoteInput(roleName)}`);

  // type: up to the next ':' or the end
  const typeAt = c2 + 1;
  const c3 = text.indexOf(':', typeAt);
  const typeName = text.slice(typeAt, c3 < 0 ? text.length : c3);
  if (typeName.length === 0) fail('empty-part', 'type', typeAt, text, 'empty type');
  const type = index.types.get(typeName);
  if (!type) fail('unknown-type', 'type', typeAt, text, `unknown type ${quoteInput(typeName)}`);
  if (type.attribute) fail('attribute-as-type', 'type', typeAt, text, `${quoteInput(typeName)} is an attribute, not a type`);

  // MLS field presence (K mls_context_to_sid: !mls_enabled / !oldc branches)
  let parsed: ParsedRange | undefined;
  const mlsAt = c3 + 1;
  if (!model.mls) {
    if (c3 >= 0) fail('mls-not-enabled', 'level', mlsAt, text, 'the policy is not MLS: no level allowed');
  } else {
    if (c3 < 0) fail('mls-missing', 'level', text.length, text, 'the policy is MLS: a level is required');
    parsed = parseRangeAt(model, index, text, mlsAt, text.length);
  }

  // validity (K policydb_context_isvalid): role ↔ type, user ↔ role unless object_r
  if (role.value !== OBJECT_R_VALUE) {
    if (!sortedHas(role.types, type.value)) {
      fail('role-not-authorised-for-type', 'type', typeAt, text, `role ${role.name} is not authorised for type ${type.name}`);
    }
    if (!sortedHas(user.roles, role.value)) {
      fail('user-not-authorised-for-role', 'role', roleAt, text, `user ${user.name} is not authorised for role ${role.name}`);
    }
  }
  if (!parsed) return { user: user.value, role: role.value, type: type.value };

  validateRange(model, text, parsed);
  // K mls_context_isvalid: unless object_r, the user must be cleared for the whole range
  if (role.value !== OBJECT_R_VALUE) {
    if (!user.range || !rangeContains(user.range, parsed.range)) {
      const allowed = user.range ? formatRange(model, user.range) : 'none';
      fail('range-outside-user', 'range', mlsAt, text, `range ${formatRange(model, parsed.range)} is outside user ${user.name}'s range ${allowed}`);
    }
  }
  return { user: user.value, role: role.value, type: type.value, range: parsed.range };
}

/**
 * Parse and validate an MLS range on its own (`s0-s0:c0.c1023`, `s0:c1,c2`): known symbols, categories
 * allowed at their sensitivity, high dom low. Offsets in errors are relative to `text`.
 */
export function parseRange(model: PolicyModel, index: SymbolIndex, text: string): MlsRange {
  if (!model.mls) fail('mls-not-enabled', 'range', 0, text, 'the policy is not MLS');
  if (text.length === 0) fail('empty', 'range', 0, text, 'empty range');
  const nul = text.indexOf('\0');
  if (nul >= 0) fail('malformed', 'range', nul, text, 'NUL character in range');
  const parsed = parseRangeAt(model, index, text, 0, text.length);
  validateRange(model, text, parsed);
  return parsed.range;
}

/** Split once at the first `-` (K mls_context_to_sid); no `-` ⇒ high is a copy of low. */
function parseRangeAt(model: PolicyModel, index: SymbolIndex, input: string, start: number, end: number): ParsedRange {
  const dash = input.indexOf('-', start);
  const lowEnd = dash >= 0 && dash < end ? dash : end;
  const low = parseLevelAt(model, index, input, start, lowEnd);
  if (lowEnd === end) {
    return { range: { low: low.level, high: { sens: low.level.sens, cats: low.level.cats.clone() } }, low };
  }
  const high = parseLevelAt(model, index, input, lowEnd + 1, end);
  return { range: { low: low.level, high: high.level }, low, high };
}

/** `sens[:item,item...]`, item = `cN` | `cA.cB` with value(A) < value(B). */
function parseLevelAt(model: PolicyModel, index: SymbolIndex, input: string, start: number, end: number): ParsedLevel {
  if (start >= end) fail('empty-part', 'level', start, input, 'empty level');
  const colon = input.indexOf(':', start);
  const sensEnd = colon >= 0 && colon < end ? colon : end;
  const sensName = input.slice(start, sensEnd);
  if (sensName.length === 0) fail('empty-part', 'sensitivity', start, input, 'empty sensitivity');
  const sens = index.sensitivities.get(sensName);
  if (!sens) fail('unknown-sensitivity', 'sensitivity', start, input, `unknown sensitivity ${quoteInput(sensName)}`);

  const cats = new CategorySet();
  const tokens: CatToken[] = [];
  if (sensEnd < end) {
    let itemAt = sensEnd + 1;
    for (;;) {
      const comma = input.indexOf(',', itemAt);
      const itemEnd = comma >= 0 && comma < end ? comma : end;
      tokens.push(parseCategoryItem(model, index, input, itemAt, itemEnd, cats));
      if (itemEnd === end) break;
      itemAt = itemEnd + 1;
    }
  }
  return { level: { sens: sens.value, cats }, offset: start, tokens };
}

function parseCategoryItem(
  model: PolicyModel,
  index: SymbolIndex,
  input: string,
  start: number,
  end: number,
  into: CategorySet,
): CatToken {
  const dot = input.indexOf('.', start);
  const firstEnd = dot >= 0 && dot < end ? dot : end;
  const lo = lookupCategory(model, index, input, start, firstEnd);
  if (firstEnd === end) {
    into.add(lo);
    return { offset: start, lo, hi: lo };
  }
  // everything after the first '.' must be one category name (a second '.' fails the lookup)
  const hi = lookupCategory(model, index, input, firstEnd + 1, end);
  if (lo >= hi) {
    fail('bad-category-range', 'category', start, input, `category range ${quoteInput(input.slice(start, end))} is empty or reversed`);
  }
  into.addRange(lo, hi);
  return { offset: start, lo, hi };
}

/** category index (value - 1) of the name in input[start, end) */
function lookupCategory(model: PolicyModel, index: SymbolIndex, input: string, start: number, end: number): number {
  const name = input.slice(start, end);
  if (name.length === 0) fail('empty-part', 'category', start, input, 'empty category');
  const cat = index.categories.get(name);
  if (!cat || cat.value < 1 || cat.value > MAX_CATEGORIES || cat.value > model.categories.length) {
    fail('unknown-category', 'category', start, input, `unknown category ${quoteInput(name)}`);
  }
  return cat.value - 1;
}

/** K mls_range_isvalid: each level valid (low first), then high dom low. */
function validateRange(model: PolicyModel, input: string, parsed: ParsedRange): void {
  validateLevel(model, input, parsed.low);
  if (parsed.high) {
    validateLevel(model, input, parsed.high);
    if (!levelDom(parsed.range.high, parsed.range.low)) {
      fail(
        'high-below-low',
        'range',
        parsed.high.offset,
        input,
        `high level ${formatLevel(model, parsed.range.high)} does not dominate low level ${formatLevel(model, parsed.range.low)}`,
      );
    }
  }
}

/** K mls_level_isvalid: every category must be declared for the level's sensitivity (`level s0:c0.c1023;`). */
function validateLevel(model: PolicyModel, input: string, parsed: ParsedLevel): void {
  const sens = model.sensitivities[parsed.level.sens - 1];
  if (!sens) fail('unknown-sensitivity', 'sensitivity', parsed.offset, input, `no sensitivity with value ${parsed.level.sens}`);
  if (sens.allowedCats.contains(parsed.level.cats)) return;
  for (const t of parsed.tokens) {
    for (let i = t.lo; i <= t.hi; i++) {
      if (!sens.allowedCats.has(i)) {
        fail('category-not-allowed', 'category', t.offset, input, `category ${categoryName(model, i)} is not allowed at sensitivity ${sens.name}`);
      }
    }
  }
  // unreachable: the tokens set exactly the level's bits
  fail('category-not-allowed', 'level', parsed.offset, input, `categories not allowed at sensitivity ${sens.name}`);
}

/** Does a context built in code (not parsed) pass the kernel's validity check? */
export function contextIsValid(model: PolicyModel, ctx: ContextValue): boolean {
  const user = model.users[ctx.user - 1];
  const role = model.roles[ctx.role - 1];
  const type = model.types[ctx.type - 1];
  if (!user || !role || !type || type.attribute) return false;
  if (role.value !== OBJECT_R_VALUE && (!sortedHas(role.types, type.value) || !sortedHas(user.roles, role.value))) return false;
  if (!model.mls) return ctx.range === undefined;
  const r = ctx.range;
  if (!r || !levelIsValid(model, r.low) || !levelIsValid(model, r.high) || !levelDom(r.high, r.low)) return false;
  if (role.value === OBJECT_R_VALUE) return true;
  return user.range !== undefined && rangeContains(user.range, r);
}

function levelIsValid(model: PolicyModel, level: MlsLevel): boolean {
  const sens = model.sensitivities[level.sens - 1];
  return sens !== undefined && sens.allowedCats.contains(level.cats) && level.cats.highest() < model.categories.length;
}

/** Canonical text (K context_struct_to_string + mls_sid_to_context): canonical names, `-high` only when high ≠ low. */
export function formatContext(model: PolicyModel, ctx: ContextValue): string {
  const user = symbolName(model.users, ctx.user, 'user');
  const role = symbolName(model.roles, ctx.role, 'role');
  const type = symbolName(model.types, ctx.type, 'type');
  const base = `${user}:${role}:${type}`;
  if (!model.mls || !ctx.range) return base;
  return `${base}:${formatRange(model, ctx.range)}`;
}

export function formatRange(model: PolicyModel, range: MlsRange): string {
  const low = formatLevel(model, range.low);
  return levelEq(range.low, range.high) ? low : `${low}-${formatLevel(model, range.high)}`;
}

/** `sens` or `sens:cats` with libsepol's run rules (see formatCategories). */
export function formatLevel(model: PolicyModel, level: MlsLevel): string {
  const sens = symbolName(model.sensitivities, level.sens, 'sensitivity');
  if (level.cats.isEmpty()) return sens;
  return `${sens}:${formatCategories(level.cats, (i) => categoryName(model, i))}`;
}

/** canonical name of category index i (value i + 1) */
export function categoryName(model: PolicyModel, i: number): string {
  return symbolName(model.categories, i + 1, 'category');
}

function symbolName(defs: ReadonlyArray<{ readonly name: string }>, value: number, what: string): string {
  const def = defs[value - 1];
  if (!def) throw stateError(`no ${what} with value ${value} in the policy`);
  return def.name;
}

/** binary search in an ascending array */
export function sortedHas(sorted: readonly number[], v: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = sorted[mid]!;
    if (x === v) return true;
    if (x < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
