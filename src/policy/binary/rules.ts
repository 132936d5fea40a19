/**
 * Rule sections that follow the conditional lists (S policydb.c:role_trans_read, role_allow_read,
 * filename_trans_read, range_read):
 *   role_trans      [n] x {role, type, new_role, tclass (v>=26)}
 *   role_allow      [n] x {role, new_role}
 *   filename_trans  (v>=25) v>=33: [n] x {len, name, ttype, tclass, ndatum} + ndatum x {stypes ebitmap, otype}
 *                   older:          [n] x {len, name, stype, ttype, tclass, otype}
 *   range_trans     [n] x {stype, ttype, tclass (v>=21)} + range   (read after genfs)
 *
 * None of these affect compute_av except role_allow (process transitions), so the others become
 * OtherStatements with kernel-text arguments:
 *   role_transition  [role, type, class, new_role]
 *   type_transition  [source, target, class, new_type, "name"]   (one per source type)
 *   range_transition [source, target, class, range]
 */
import type { OtherStatement } from '../model.js';
import type { Cursor } from './cursor.js';
import { readValueSet } from './ebitmap.js';
import { formatRangeText, rangeProblem, readRange } from './mls.js';
import { POLICYDB_VERSION_COMP_FTRANS, POLICYDB_VERSION_ROLETRANS } from './names.js';
import type { SymbolTables } from './symbols.js';

function check(c: Cursor, v: number, n: number, what: string, at: number): void {
  if (v === 0 || v > n) c.fail(`${what} ${v} out of range 1..${n}`, at);
}

export function readRoleTrans(c: Cursor, version: number, syms: SymbolTables, other: OtherStatement[]): void {
  c.section = 'role_trans';
  const withClass = version >= POLICYDB_VERSION_ROLETRANS;
  const n = c.count(withClass ? 16 : 12, 'role_transition');
  for (let i = 0; i < n; i++) {
    const at = c.pos;
    const role = c.u32();
    const type = c.u32();
    const newRole = c.u32();
    const tclass = withClass ? c.u32() : syms.classes.findIndex((k) => k.name === 'process') + 1;
    check(c, role, syms.roles.length, 'role', at);
    check(c, type, syms.types.length, 'type', at + 4);
    check(c, newRole, syms.roles.length, 'new role', at + 8);
    check(c, tclass, syms.classes.length, 'class', at + 12);
    other.push({
      kind: 'role_transition',
      args: [syms.roles[role - 1]!.name, syms.types[type - 1]!.name, syms.classes[tclass - 1]!.name, syms.roles[newRole - 1]!.name],
    });
  }
}

export function readRoleAllow(c: Cursor, syms: SymbolTables): Array<[number, number]> {
  c.section = 'role_allow';
  const n = c.count(8, 'role allow');
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const at = c.pos;
    const from = c.u32();
    const to = c.u32();
    check(c, from, syms.roles.length, 'role', at);
    check(c, to, syms.roles.length, 'new role', at + 4);
    out.push([from, to]);
  }
  return out;
}

export function readFilenameTrans(c: Cursor, version: number, syms: SymbolTables, other: OtherStatement[]): void {
  c.section = 'filename_trans';
  const types = syms.types;
  const compressed = version >= POLICYDB_VERSION_COMP_FTRANS;
  const n = c.count(compressed ? 17 : 21, 'filename transition');
  const emit = (stype: number, ttype: number, tclass: number, otype: number, name: string): void => {
    other.push({
      kind: 'type_transition',
      args: [types[stype - 1]!.name, types[ttype - 1]!.name, syms.classes[tclass - 1]!.name, types[otype - 1]!.name, JSON.stringify(name)],
    });
  };
  for (let i = 0; i < n; i++) {
    const at = c.pos;
    const len = c.u32();
    const name = c.str(len, 'filename transition', at);
    if (!compressed) {
      const fAt = c.pos;
      const stype = c.u32();
      const ttype = c.u32();
      const tclass = c.u32();
      const otype = c.u32();
      check(c, stype, types.length, 'source type', fAt);
      check(c, ttype, types.length, 'target type', fAt + 4);
      check(c, tclass, syms.classes.length, 'class', fAt + 8);
      check(c, otype, types.length, 'new type', fAt + 12);
      emit(stype, ttype, tclass, otype, name);
      continue;
    }
    const kAt = c.pos;
    const ttype = c.u32();
    const tclass = c.u32();
    const ndatum = c.count(16, 'filename transition datum');
    check(c, ttype, types.length, 'target type', kAt);
    check(c, tclass, syms.classes.length, 'class', kAt + 4);
    if (ndatum === 0) c.fail('filename transition with no datum', kAt + 8);
    // S policydb.c:filename_trans_check_datum: no source type and no new type may repeat
    const seenSources = new Set<number>();
    const seenTargets = new Set<number>();
    for (let d = 0; d < ndatum; d++) {
      const dAt = c.pos;
      const stypes = readValueSet(c, types.length, 'filename transition source types');
      const oAt = c.pos;
      const otype = c.u32();
      check(c, otype, types.length, 'new type', oAt);
      if (seenTargets.has(otype)) c.fail(`filename transition "${name}": new type ${types[otype - 1]!.name} repeated`, oAt);
      seenTargets.add(otype);
      for (const s of stypes) {
        if (seenSources.has(s)) c.fail(`filename transition "${name}": source type ${types[s - 1]!.name} repeated`, dAt);
        seenSources.add(s);
        emit(s, ttype, tclass, otype, name);
      }
    }
  }
}

export function readRangeTrans(c: Cursor, syms: SymbolTables, mls: boolean, other: OtherStatement[]): void {
  c.section = 'range_trans';
  const n = c.count(12 + 20, 'range transition');
  for (let i = 0; i < n; i++) {
    const at = c.pos;
    const stype = c.u32();
    const ttype = c.u32();
    const tclass = c.u32();
    const range = readRange(c, 'range transition');
    check(c, stype, syms.types.length, 'source type', at);
    check(c, ttype, syms.types.length, 'target type', at + 4);
    check(c, tclass, syms.classes.length, 'class', at + 8);
    // K ss/policydb.c range_read refuses an invalid range (libsepol >= 3.5 too; 3.4 does not check)
    const bad = rangeProblem(range, syms.sensitivities, syms.categories.length);
    if (bad) c.fail(`range transition: invalid range: ${bad}`, at + 12);
    // without MLS the kernel reads range transitions but never applies them; a model without MLS
    // has no ranges, so they are not kept
    if (!mls) continue;
    other.push({
      kind: 'range_transition',
      args: [
        syms.types[stype - 1]!.name,
        syms.types[ttype - 1]!.name,
        syms.classes[tclass - 1]!.name,
        formatRangeText(range, syms.sensitivities, syms.categories),
      ],
    });
  }
}
