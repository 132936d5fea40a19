/**
 * The eight symbol tables of a kernel policy, in file order: commons, classes, roles, types, users,
 * bools, sensitivities, categories (S policydb.c:policydb_read, read_f[]). Each table is
 * `[nprim u32, nel u32]` + nel records; nel >= nprim because types, sensitivities and categories
 * carry aliases. Records appear in hash-table order, so everything is indexed by value.
 *
 * Record layouts (v>=24; S policydb.c:*_read, docs/selinux-semantics.md):
 *   common   [len, value, perms.nprim, perms.nel] name; perms x ([len, value] name)
 *   class    [len, comlen, value, perms.nprim, perms.nel, ncons] name, common name; perms;
 *            constraints; [nvt] validatetrans; [default_user, default_role, default_range] (v27);
 *            [default_type] (v28)
 *   role     [len, value, bounds] name; dominates ebitmap; types ebitmap
 *   type     [len, value, properties, bounds] name   (properties: 1 PRIMARY, 2 ATTRIBUTE)
 *   user     [len, value, bounds] name; roles ebitmap; MLS range; default level
 *   bool     [value, state, len] name
 *   sens     [len, isalias] name; level {sens, cats}   (isalias: any non-zero value is an alias,
 *            as in S policydb.c sens_read/cat_read and K ss/policydb.c)
 *   cat      [len, value, isalias] name
 *
 * Checks: every value within 1..nprim; each value has exactly one primary record (sensitivities and
 * categories: libsepol counts their aliases in nprim, so there the primaries must fill 1..k); names
 * unique per table; aliases point at an existing primary; nel >= nprim (so nprim, which sizes the arrays, is
 * bounded by the bytes left); at most 1024 categories (the engine's fixed category set).
 * `object_r` must have value 1 and, as in the kernel and libsepol, its on-disk datum is replaced by
 * the built-in one (no types, no dominates) (K ss/policydb.c:role_read/roles_init).
 */
import { MAX_CATEGORIES } from '../../context/categories.js';
import { BinaryPolicyError } from '../../errors.js';
import {
  OBJECT_R_VALUE,
  type BoolDef,
  type CategoryDef,
  type ClassDef,
  type ClassDefaults,
  type CommonDef,
  type ConstraintDef,
  type MlsLevel,
  type MlsRange,
  type RoleDef,
  type SensitivityDef,
  type TypeDef,
  type UserDef,
  type PolicyModel,
} from '../model.js';
import type { Cursor } from './cursor.js';
import { checkNames, readConstraintList, resolveWritten, type ConstraintContext } from './constraints.js';
import { readValueSet } from './ebitmap.js';
import { levelValueProblem, readLevel, readRange } from './mls.js';
import {
  DEFAULT_RANGE,
  DEFAULT_SOURCE_TARGET,
  PERM_SYMTAB_SIZE,
  POLICYDB_VERSION_DEFAULT_TYPE,
  POLICYDB_VERSION_NEW_OBJECT_DEFAULTS,
  TYPEDATUM_PROPERTY_ATTRIBUTE,
  TYPEDATUM_PROPERTY_PRIMARY,
} from './names.js';

/** The eight symbol tables of a policydb, in file order, as the model holds them. */
export type SymbolTables = Pick<PolicyModel, 'commons' | 'classes' | 'roles' | 'types' | 'users' | 'bools' | 'sensitivities' | 'categories'>;

const NO_LIMIT = 0xffffffff;

interface TableHeader {
  nprim: number;
  nel: number;
  at: number;
}

/** `[nprim, nel]`, with nel bounded by the bytes left (`minRecord` bytes per record). */
function readTableHeader(c: Cursor, name: string, minRecord: number): TableHeader {
  const at = c.pos;
  const nprim = c.u32();
  const nel = c.u32();
  if (nel !== 0 && nprim === 0) c.fail(`${name}: ${nel} record(s) in a table with no symbols`, at);
  if (nprim > nel) c.fail(`${name}: ${nprim} values declared but only ${nel} record(s)`, at);
  c.checkCount(nel, minRecord, `${name} record`, at + 4);
  return { nprim, nel, at };
}

function checkValue(c: Cursor, value: number, nprim: number, what: string, at: number): void {
  if (value < 1 || value > nprim) c.fail(`${what}: value ${value} out of range 1..${nprim}`, at);
}

/** Ensures names are unique within one table. */
class NameSet {
  private readonly seen = new Set<string>();
  constructor(private readonly table: string) {}
  add(c: Cursor, name: string, at: number): void {
    if (this.seen.has(name)) c.fail(`${this.table}: duplicate name "${name}"`, at);
    this.seen.add(name);
  }
}

/** Fill `slots[value-1]` once; a second primary record with the same value is an error. */
function place<T>(c: Cursor, slots: (T | undefined)[], value: number, item: T, what: string, at: number): void {
  if (slots[value - 1] !== undefined) c.fail(`${what}: value ${value} used by two records`, at);
  slots[value - 1] = item;
}

function requireAll<T>(c: Cursor, slots: (T | undefined)[], what: string, at: number): T[] {
  for (let i = 0; i < slots.length; i++) {
    if (slots[i] === undefined) c.fail(`${what}: value ${i + 1} has no record`, at);
  }
  return slots as T[];
}

/**
 * Sensitivity and category tables: libsepol counts aliases in nprim (an alias record repeats its
 * primary's value), so nprim is only an upper bound. The primaries must hold values 1..k exactly.
 */
function requirePrefix<T>(c: Cursor, slots: (T | undefined)[], what: string, at: number): T[] {
  let k = 0;
  while (k < slots.length && slots[k] !== undefined) k++;
  for (let i = k; i < slots.length; i++) {
    if (slots[i] !== undefined) c.fail(`${what}: value ${k + 1} has no record`, at);
  }
  return slots.slice(0, k) as T[];
}

function readPerms(c: Cursor, nel: number, nprim: number, into: (string | undefined)[], names: NameSet, what: string): void {
  for (let i = 0; i < nel; i++) {
    const at = c.pos;
    const len = c.u32();
    const value = c.u32();
    const name = c.str(len, `${what} permission`, at);
    checkValue(c, value, nprim, `${what} permission "${name}"`, at + 4);
    names.add(c, name, at);
    place(c, into, value, name, `${what} permission`, at);
  }
}

function readCommons(c: Cursor): CommonDef[] {
  c.section = 'symbols/commons';
  const h = readTableHeader(c, 'commons', 16);
  const slots: (CommonDef | undefined)[] = new Array(h.nprim);
  const names = new NameSet('commons');
  for (let i = 0; i < h.nel; i++) {
    const at = c.pos;
    const len = c.u32();
    const value = c.u32();
    const pprim = c.u32();
    const pel = c.count(8, 'common permission');
    const name = c.str(len, 'common', at);
    checkValue(c, value, h.nprim, `common "${name}"`, at + 4);
    if (pprim > PERM_SYMTAB_SIZE) c.fail(`common "${name}": ${pprim} permissions, at most ${PERM_SYMTAB_SIZE}`, at + 8);
    names.add(c, name, at);
    const perms: (string | undefined)[] = new Array(pprim);
    readPerms(c, pel, pprim, perms, new NameSet(`common ${name}`), `common "${name}"`);
    place(c, slots, value, { name, value, perms: requireAll(c, perms, `common "${name}" permissions`, at) }, 'common', at);
  }
  return requireAll(c, slots, 'commons', h.at);
}

function readClasses(c: Cursor, version: number, commons: readonly CommonDef[], cctx: ConstraintContext): ClassDef[] {
  c.section = 'symbols/classes';
  const h = readTableHeader(c, 'classes', 24);
  const slots: (ClassDef | undefined)[] = new Array(h.nprim);
  const names = new NameSet('classes');
  const commonByName = new Map(commons.map((d) => [d.name, d]));
  for (let i = 0; i < h.nel; i++) {
    const at = c.pos;
    const len = c.u32();
    const comlen = c.u32();
    const value = c.u32();
    const pprim = c.u32();
    const pel = c.u32();
    const ncons = c.u32();
    const name = c.str(len, 'class', at);
    checkValue(c, value, h.nprim, `class "${name}"`, at + 8);
    if (pprim > PERM_SYMTAB_SIZE) c.fail(`class "${name}": ${pprim} permissions, at most ${PERM_SYMTAB_SIZE}`, at + 12);
    c.checkCount(pel, 8, `class "${name}" permission`, at + 16);
    c.checkCount(ncons, 8, `class "${name}" constraint`, at + 20);
    names.add(c, name, at);
    const perms: (string | undefined)[] = new Array(pprim);
    const permNames = new NameSet(`class ${name}`);
    let common: string | undefined;
    if (comlen !== 0) {
      const comAt = c.pos;
      common = c.str(comlen, `class "${name}" common`, at + 4);
      const com = commonByName.get(common);
      if (!com) c.fail(`class "${name}": unknown common "${common}"`, comAt);
      if (com.perms.length > pprim) c.fail(`class "${name}": common "${common}" has more permissions than the class`, comAt);
      com.perms.forEach((p, bit) => {
        perms[bit] = p;
        permNames.add(c, p, comAt);
      });
    }
    readPerms(c, pel, pprim, perms, permNames, `class "${name}"`);
    const permList = requireAll(c, perms, `class "${name}" permissions`, at);
    const constraints = readConstraintList(c, ncons, pprim, false, cctx, `class "${name}" constraint`);
    const vtAt = c.pos;
    const nvt = c.u32();
    c.checkCount(nvt, 8, `class "${name}" validatetrans`, vtAt);
    const validatetrans: ConstraintDef[] = readConstraintList(c, nvt, pprim, true, cctx, `class "${name}" validatetrans`);
    const def: ClassDef =
      common !== undefined
        ? { name, value, common, perms: permList, constraints, validatetrans }
        : { name, value, perms: permList, constraints, validatetrans };
    const defaults: ClassDefaults = {};
    let anyDefault = false;
    if (version >= POLICYDB_VERSION_NEW_OBJECT_DEFAULTS) {
      const dAt = c.pos;
      // stored in a char (S policydb.h class_datum_t, K ss/policydb.h): only the low byte counts
      const du = c.u32() & 0xff;
      const dr = c.u32() & 0xff;
      const drange = c.u32() & 0xff;
      if (du >= DEFAULT_SOURCE_TARGET.length) c.fail(`class "${name}": default_user ${du} unknown`, dAt);
      if (dr >= DEFAULT_SOURCE_TARGET.length) c.fail(`class "${name}": default_role ${dr} unknown`, dAt + 4);
      if (drange >= DEFAULT_RANGE.length) c.fail(`class "${name}": default_range ${drange} unknown`, dAt + 8);
      if (du) (defaults.user = DEFAULT_SOURCE_TARGET[du]), (anyDefault = true);
      if (dr) (defaults.role = DEFAULT_SOURCE_TARGET[dr]), (anyDefault = true);
      if (drange) (defaults.range = DEFAULT_RANGE[drange]), (anyDefault = true);
    }
    if (version >= POLICYDB_VERSION_DEFAULT_TYPE) {
      const dAt = c.pos;
      const dt = c.u32() & 0xff;
      if (dt >= DEFAULT_SOURCE_TARGET.length) c.fail(`class "${name}": default_type ${dt} unknown`, dAt);
      if (dt) (defaults.type = DEFAULT_SOURCE_TARGET[dt]), (anyDefault = true);
    }
    if (anyDefault) def.defaults = defaults;
    place(c, slots, value, def, 'class', at);
  }
  return requireAll(c, slots, 'classes', h.at);
}

interface RawRole {
  def: RoleDef;
  at: number;
  domAt: number;
  typesAt: number;
}

function readRoles(c: Cursor): { roles: RoleDef[]; raw: RawRole[] } {
  c.section = 'symbols/roles';
  const h = readTableHeader(c, 'roles', 37);
  const slots: (RoleDef | undefined)[] = new Array(h.nprim);
  const raw: RawRole[] = [];
  const names = new NameSet('roles');
  let sawObjectR = false;
  for (let i = 0; i < h.nel; i++) {
    const at = c.pos;
    const len = c.u32();
    const value = c.u32();
    const bounds = c.u32();
    const name = c.str(len, 'role', at);
    checkValue(c, value, h.nprim, `role "${name}"`, at + 4);
    names.add(c, name, at);
    const domAt = c.pos;
    const dominates = readValueSet(c, h.nprim, `role "${name}" dominates`);
    const typesAt = c.pos;
    const types = readValueSet(c, NO_LIMIT, `role "${name}" types`);
    let def: RoleDef;
    if (name === 'object_r') {
      if (value !== OBJECT_R_VALUE) c.fail(`role object_r has value ${value}, must be ${OBJECT_R_VALUE}`, at + 4);
      sawObjectR = true;
      def = { name, value, types: [], dominates: [], bounds: 0 };
    } else {
      if (value === OBJECT_R_VALUE) c.fail(`role "${name}" has value ${OBJECT_R_VALUE}, reserved for object_r`, at + 4);
      def = { name, value, types, dominates, bounds };
    }
    place(c, slots, value, def, 'role', at);
    raw.push({ def, at, domAt, typesAt });
  }
  if (h.nprim > 0 && !sawObjectR) c.fail('roles: object_r is missing', h.at);
  return { roles: requireAll(c, slots, 'roles', h.at), raw };
}

function readTypes(c: Cursor): TypeDef[] {
  c.section = 'symbols/types';
  const h = readTableHeader(c, 'types', 17);
  const slots: (TypeDef | undefined)[] = new Array(h.nprim);
  const boundsAt: number[] = new Array(h.nprim).fill(0);
  const aliases: Array<{ name: string; value: number; at: number }> = [];
  const names = new NameSet('types');
  for (let i = 0; i < h.nel; i++) {
    const at = c.pos;
    const len = c.u32();
    const value = c.u32();
    const properties = c.u32();
    const bounds = c.u32();
    const name = c.str(len, 'type', at);
    checkValue(c, value, h.nprim, `type "${name}"`, at + 4);
    names.add(c, name, at);
    if ((properties & TYPEDATUM_PROPERTY_PRIMARY) === 0) {
      aliases.push({ name, value, at });
      continue;
    }
    const def: TypeDef = {
      name,
      value,
      attribute: (properties & TYPEDATUM_PROPERTY_ATTRIBUTE) !== 0,
      aliases: [],
      bounds,
      permissive: false,
    };
    place(c, slots, value, def, 'type', at);
    boundsAt[value - 1] = at + 12;
  }
  const types = requireAll(c, slots, 'types', h.at);
  for (const a of aliases) {
    const target = types[a.value - 1]!;
    if (target.attribute) c.fail(`type alias "${a.name}" names attribute "${target.name}"`, a.at);
    target.aliases.push(a.name);
  }
  for (const t of types) {
    if (t.bounds !== 0) {
      checkValue(c, t.bounds, types.length, `type "${t.name}" bounds`, boundsAt[t.value - 1]!);
      if (t.attribute || types[t.bounds - 1]!.attribute) c.fail(`type "${t.name}": typebounds involves an attribute`, boundsAt[t.value - 1]!);
    }
  }
  return types;
}

interface RawUser {
  def: UserDef;
  at: number;
  rangeAt: number;
  range: MlsRange;
  defaultLevel: MlsLevel;
}

function readUsers(c: Cursor, nroles: number): { users: UserDef[]; raw: RawUser[] } {
  c.section = 'symbols/users';
  const h = readTableHeader(c, 'users', 61);
  const slots: (UserDef | undefined)[] = new Array(h.nprim);
  const raw: RawUser[] = [];
  const names = new NameSet('users');
  for (let i = 0; i < h.nel; i++) {
    const at = c.pos;
    const len = c.u32();
    const value = c.u32();
    const bounds = c.u32();
    const name = c.str(len, 'user', at);
    checkValue(c, value, h.nprim, `user "${name}"`, at + 4);
    names.add(c, name, at);
    const roles = readValueSet(c, nroles, `user "${name}" roles`);
    const rangeAt = c.pos;
    const range = readRange(c, `user "${name}" range`);
    const defaultLevel = readLevel(c, `user "${name}" default level`);
    const def: UserDef = { name, value, roles, bounds };
    place(c, slots, value, def, 'user', at);
    raw.push({ def, at, rangeAt, range, defaultLevel });
  }
  const users = requireAll(c, slots, 'users', h.at);
  for (const r of raw) {
    if (r.def.bounds !== 0) checkValue(c, r.def.bounds, users.length, `user "${r.def.name}" bounds`, r.at + 8);
  }
  return { users, raw };
}

function readBools(c: Cursor): BoolDef[] {
  c.section = 'symbols/bools';
  const h = readTableHeader(c, 'bools', 13);
  const slots: (BoolDef | undefined)[] = new Array(h.nprim);
  const names = new NameSet('bools');
  for (let i = 0; i < h.nel; i++) {
    const at = c.pos;
    const value = c.u32();
    const state = c.u32();
    const len = c.u32();
    const name = c.str(len, 'bool', at + 8);
    checkValue(c, value, h.nprim, `bool "${name}"`, at);
    if (state > 1) c.fail(`bool "${name}": state ${state}, expected 0 or 1`, at + 4);
    names.add(c, name, at);
    place(c, slots, value, { name, value, defaultState: state === 1 }, 'bool', at);
  }
  return requireAll(c, slots, 'bools', h.at);
}

/**
 * Sensitivities. An alias record carries a level of its own, which the model drops (an alias means
 * its target); its highest category is returned so that it can be checked once the categories are
 * known, as libsepol validates every level datum (S policydb_validate.c validate_level_datum).
 */
function readSensitivities(c: Cursor, aliasTops: Array<{ name: string; top: number; at: number }>): SensitivityDef[] {
  c.section = 'symbols/sensitivities';
  const h = readTableHeader(c, 'sensitivities', 9 + 16);
  const slots: (SensitivityDef | undefined)[] = new Array(h.nprim);
  const aliases: Array<{ name: string; sens: number; at: number }> = [];
  const names = new NameSet('sensitivities');
  for (let i = 0; i < h.nel; i++) {
    const at = c.pos;
    const len = c.u32();
    const isalias = c.u32();
    const name = c.str(len, 'sensitivity', at);
    names.add(c, name, at);
    const levelAt = c.pos;
    const level = readLevel(c, `sensitivity "${name}"`);
    checkValue(c, level.sens, h.nprim, `sensitivity "${name}"`, levelAt);
    if (isalias) {
      aliases.push({ name, sens: level.sens, at });
      aliasTops.push({ name, top: level.cats.highest(), at: levelAt });
      continue;
    }
    place(c, slots, level.sens, { name, value: level.sens, aliases: [], allowedCats: level.cats }, 'sensitivity', at);
  }
  const sens = requirePrefix(c, slots, 'sensitivities', h.at);
  for (const a of aliases) {
    const target = sens[a.sens - 1];
    if (!target) c.fail(`sensitivity alias "${a.name}" names sensitivity ${a.sens}, which has no record`, a.at);
    target.aliases.push(a.name);
  }
  return sens;
}

function readCategories(c: Cursor): CategoryDef[] {
  c.section = 'symbols/categories';
  const h = readTableHeader(c, 'categories', 13);
  const slots: (CategoryDef | undefined)[] = new Array(h.nprim);
  const aliases: Array<{ name: string; value: number; at: number }> = [];
  const names = new NameSet('categories');
  for (let i = 0; i < h.nel; i++) {
    const at = c.pos;
    const len = c.u32();
    const value = c.u32();
    const isalias = c.u32();
    const name = c.str(len, 'category', at);
    checkValue(c, value, h.nprim, `category "${name}"`, at + 4);
    names.add(c, name, at);
    if (isalias) {
      aliases.push({ name, value, at });
      continue;
    }
    place(c, slots, value, { name, value, aliases: [] }, 'category', at);
  }
  const cats = requirePrefix(c, slots, 'categories', h.at);
  if (cats.length > MAX_CATEGORIES) {
    c.fail(`unsupported: the policy declares ${cats.length} categories; svirt supports at most ${MAX_CATEGORIES} (c0..c${MAX_CATEGORIES - 1})`, h.at);
  }
  for (const a of aliases) {
    const target = cats[a.value - 1];
    if (!target) c.fail(`category alias "${a.name}" names category ${a.value}, which has no record`, a.at);
    target.aliases.push(a.name);
  }
  return cats;
}

/**
 * Read the eight tables and cross-check what could only be checked once all were known: role types
 * and constraint names against the type/user/role counts, written constraint names, and (MLS) the
 * sensitivities' category sets and the users' ranges.
 */
export function readSymbolTables(c: Cursor, version: number, mls: boolean): SymbolTables {
  const tablesAt = c.pos;
  const cctx: ConstraintContext = { version, checks: [], fixups: [] };
  const commons = readCommons(c);
  const classes = readClasses(c, version, commons, cctx);
  const { roles, raw: rawRoles } = readRoles(c);
  const types = readTypes(c);
  const { users, raw: rawUsers } = readUsers(c, roles.length);
  const bools = readBools(c);
  const aliasTops: Array<{ name: string; top: number; at: number }> = [];
  const sensitivities = readSensitivities(c, aliasTops);
  const categories = readCategories(c);

  c.section = 'symbols';
  // role.types bits index types (declared after roles); only primary types may be listed.
  for (const r of rawRoles) {
    for (const t of r.def.types) {
      const td = types[t - 1];
      if (!td) throw new BinaryPolicyError('symbols/roles', r.typesAt, `role "${r.def.name}" types: value ${t} out of range 1..${types.length}`);
    }
    if (r.def.bounds !== 0 && (r.def.bounds < 1 || r.def.bounds > roles.length)) {
      throw new BinaryPolicyError('symbols/roles', r.at + 8, `role "${r.def.name}" bounds ${r.def.bounds} out of range 1..${roles.length}`);
    }
  }
  checkNames(cctx.checks, { users: users.length, roles: roles.length, types: types.length });
  resolveWritten(
    cctx.fixups,
    types.map((t) => t.name),
  );

  if (mls) {
    const ncats = categories.length;
    for (const s of sensitivities) {
      const top = s.allowedCats.highest();
      if (top >= ncats) throw new BinaryPolicyError('symbols/sensitivities', tablesAt, `sensitivity "${s.name}" allows category value ${top + 1}, only ${ncats} declared`);
    }
    for (const a of aliasTops) {
      if (a.top >= ncats) throw new BinaryPolicyError('symbols/sensitivities', a.at, `sensitivity alias "${a.name}" level names category value ${a.top + 1}, only ${ncats} declared`);
    }
    for (const u of rawUsers) {
      // values only, as libsepol (a range whose categories a sensitivity does not allow, or whose
      // default level lies outside it, loads there and in the kernel; it just admits fewer contexts)
      const nsens = sensitivities.length;
      const bad =
        levelValueProblem(u.range.low, nsens, ncats) ?? levelValueProblem(u.range.high, nsens, ncats) ?? levelValueProblem(u.defaultLevel, nsens, ncats);
      if (bad) throw new BinaryPolicyError('symbols/users', u.rangeAt, `user "${u.def.name}": invalid MLS range or default level: ${bad}`);
      u.def.range = u.range;
      u.def.defaultLevel = u.defaultLevel;
    }
  }
  return { commons, classes, roles, types, users, bools, sensitivities, categories };
}
