/**
 * PolicyModel → policy image: one little-endian blob the Wasm core reads in place (no parsing).
 * Layout constants come from src/wasm/layout.ts (mirror of assembly/layout.ts):
 *
 *   header (magic 'SVIM', version, seqno, size, flags, handle_unknown, counts, process class,
 *           transition mask, role words, section table)
 *   TYPES, TYPE_ATTR, CLASSES, CONSTRAINTS, CEXPR, NAMES, ROLE_DOM, ROLE_ALLOW, AVTAB,
 *   AV_CLASSMAP, AV_GROUPS, AV_TARGETS, COND_STATE, LABEL_RULES, LABEL_RANGES — every section
 *   16-byte aligned.
 *
 * LABEL_RULES / LABEL_RANGES and each class record's CLASS_LABEL word carry the new-object label
 * rules (src/security/label-image.ts). When the model's label rules cannot be read (an
 * E_POLICY_UNSUPPORTED from src/policy/label-rules.ts) the image gets IMG_FLAG_NO_LABELS and an
 * empty table: the core then refuses every label query, and access decisions are unaffected.
 *
 * Avtab keys are type-or-attribute values (expanded at lookup through type_attr_map, as in the
 * kernel). Unconditional entries with the same key are merged into one record (OR
 * allowed/auditallow, AND auditdeny); conditional entries keep one record per (key, cond node,
 * branch). Records are sorted by (class, source, target, cond) and indexed class-major instead of
 * hashed: per class a bitmap of the source keys with records (plus ranks), the run of records of
 * each (class, source) group, and a u16 target column; the core expands attrs(s) x attrs(t) with one
 * bit test per source key and a merge per non-empty group (assembly/avtab.ts teCompute).
 * COND_STATE holds one word per cond node (COND_TRUE/FALSE/NONE) and is the only part rewritten
 * after build: boolean changes re-evaluate the expressions in TS (condResults) and write the words.
 *
 * Load-time checks the kernel also makes (K policydb_bounds_sanity_check, S policydb_validate):
 * at most 65535 types/classes/roles, at most 32 permissions per class, no type bounded by an
 * attribute, no bounds loop or chain deeper than POLICYDB_BOUNDS_MAXDEPTH.
 */
import { policyUnsupported } from '../errors.js';
import {
  AVTAB_ALLOWED,
  AVTAB_AUDITALLOW,
  AVTAB_AUDITDENY,
  type AvEntry,
  type HandleUnknown,
  type PolicyModel,
} from './model.js';
import * as L from '../wasm/layout.js';
import { SvirtError } from '../errors.js';
import { labelTables, type LabelTables } from '../security/label-tables.js';
import { buildLabelSections, classLabelWord, emptyLabelSections } from '../security/label-image.js';

export interface ImageOptions {
  /** seqno stamped into decisions (K latest_granting) */
  readonly seqno: number;
  /** per cond node: 1 true branch active, 0 false branch active, -1 malformed (neither) */
  readonly condResults?: ArrayLike<number>;
  /** overrides model.handleUnknown */
  readonly handleUnknown?: HandleUnknown;
}

/** COND_STATE word for one evaluation result (1 / 0 / -1). */
export function condStateWord(result: number): number {
  return result === 1 ? L.COND_TRUE : result === 0 ? L.COND_FALSE : L.COND_NONE;
}

const HU_CODE: Record<HandleUnknown, number> = { deny: L.HU_DENY, allow: L.HU_ALLOW, reject: L.HU_REJECT };
const MAX_VALUES = 0xffff;
const BOUNDS_MAXDEPTH = 4; // K POLICYDB_BOUNDS_MAXDEPTH

interface AvRecord {
  source: number;
  target: number;
  tclass: number;
  allowed: number;
  auditallow: number;
  auditdeny: number;
  cond: number;
}

function validate(model: PolicyModel): void {
  if (model.types.length > MAX_VALUES || model.classes.length > MAX_VALUES || model.roles.length > MAX_VALUES) {
    throw policyUnsupported('policy image: more than 65535 types, classes or roles (avtab keys are u16)');
  }
  for (const c of model.classes) {
    if (c.perms.length > 32) throw policyUnsupported(`policy image: class ${c.name} has ${c.perms.length} permissions (max 32)`);
  }
  for (const t of model.types) {
    if (!t.bounds) continue;
    let depth = 0;
    let cur = t;
    while (cur.bounds) {
      const up = model.types[cur.bounds - 1];
      if (!up) throw policyUnsupported(`policy image: type ${t.name} bounded by unknown type value ${cur.bounds}`);
      if (up.attribute) throw policyUnsupported(`policy image: type ${cur.name} bounded by attribute ${up.name}`);
      if (++depth === BOUNDS_MAXDEPTH) throw policyUnsupported(`policy image: type ${t.name}: too deep or looped boundary`);
      cur = up;
    }
  }
}

function mergeInto(rec: AvRecord, e: AvEntry): void {
  if (e.specified === AVTAB_ALLOWED) rec.allowed = (rec.allowed | e.data) >>> 0;
  else if (e.specified === AVTAB_AUDITALLOW) rec.auditallow = (rec.auditallow | e.data) >>> 0;
  else if (e.specified === AVTAB_AUDITDENY) rec.auditdeny = (rec.auditdeny & e.data) >>> 0;
}

/** per type value: its type_attr_map list, sorted ascending without duplicates */
function typeAttrLists(model: PolicyModel): number[][] {
  const out: number[][] = [];
  for (let v = 1; v <= model.types.length; v++) {
    const list = [...new Set(model.typeAttrMap[v - 1] ?? [v])].sort((a, b) => a - b);
    out.push(list);
  }
  return out;
}

/**
 * Every AV record, sorted by (class, source, target, cond). Keys with a value outside 1..n can never
 * be looked up (type_attr_map values and classes are 1-based) and are dropped.
 */
function collectAvRecords(model: PolicyModel, ntypes: number, nclasses: number): AvRecord[] {
  const byKey = new Map<string, AvRecord>();
  const add = (e: AvEntry, cond: number): void => {
    const key = `${e.source}:${e.target}:${e.tclass}:${cond}`;
    let rec = byKey.get(key);
    if (!rec) {
      rec = { source: e.source, target: e.target, tclass: e.tclass, allowed: 0, auditallow: 0, auditdeny: 0xffffffff, cond };
      byKey.set(key, rec);
    }
    mergeInto(rec, e);
  };
  for (const e of model.avtab) add(e, L.AV_UNCONDITIONAL);
  model.conds.forEach((node, i) => {
    for (const e of node.trueList) add(e, (i << 1) | 1);
    for (const e of node.falseList) add(e, i << 1);
  });
  const inRange = (r: AvRecord): boolean =>
    r.source >= 1 && r.source <= ntypes && r.target >= 1 && r.target <= ntypes && r.tclass >= 1 && r.tclass <= nclasses;
  // cond: AV_UNCONDITIONAL (0xffffffff) sorts after every conditional record of its key
  return [...byKey.values()]
    .filter(inRange)
    .sort((a, b) => a.tclass - b.tclass || a.source - b.source || a.target - b.target || a.cond - b.cond);
}

/**
 * The class-major AV index over `records` (sorted as collectAvRecords returns them): the
 * SEC_AV_CLASSMAP words ({bits, rank} pairs per class) and the SEC_AV_GROUPS words ({first, count}
 * per (class, source) run). See assembly/avtab.ts teCompute.
 */
function avIndex(records: readonly AvRecord[], ntypes: number, nclasses: number): { classMap: Uint32Array; groups: number[] } {
  const words = (ntypes + 31) >>> 5;
  const classMap = new Uint32Array(nclasses * words * 2);
  const groups: number[] = [];
  for (let i = 0; i < records.length; ) {
    const { tclass, source } = records[i]!;
    let j = i + 1;
    while (j < records.length && records[j]!.tclass === tclass && records[j]!.source === source) j++;
    const pair = ((tclass - 1) * words + ((source - 1) >>> 5)) * 2;
    if (classMap[pair] === 0) classMap[pair + 1] = groups.length / 2;
    classMap[pair] = (classMap[pair]! | (1 << ((source - 1) & 31))) >>> 0;
    groups.push(i, j - i);
    i = j;
  }
  return { classMap, groups };
}

/** A little-endian u32 writer with 16-byte aligned sections. */
class Writer {
  private buf = new Uint32Array(1024);
  length = 0; // in u32 words
  ensure(words: number): void {
    if (this.length + words <= this.buf.length) return;
    let n = this.buf.length;
    while (n < this.length + words) n *= 2;
    const next = new Uint32Array(n);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  push(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v >>> 0;
  }
  align16(): void {
    while (this.length & 3) this.push(0);
  }
  set(wordIndex: number, v: number): void {
    this.buf[wordIndex] = v >>> 0;
  }
  bytes(): Uint8Array {
    // the Wasm side reads little-endian; Uint32Array uses the host order, which Node targets are
    const out = new Uint8Array(this.length * 4);
    out.set(new Uint8Array(this.buf.buffer, 0, this.length * 4));
    return out;
  }
}

/** Build the image of `model`. Throws E_POLICY_UNSUPPORTED for policies the kernel would refuse. */
export function buildPolicyImage(model: PolicyModel, opts: ImageOptions): Uint8Array {
  validate(model);
  const ntypes = model.types.length;
  const nclasses = model.classes.length;
  const nroles = model.roles.length;
  const roleWords = (nroles + 31) >>> 5;
  let tables: LabelTables | undefined;
  try {
    tables = labelTables(model);
  } catch (e) {
    if (!(e instanceof SvirtError)) throw e;
    tables = undefined;
  }
  const w = new Writer();
  const headerWords = (L.H_SECTIONS + L.NSECTIONS * L.SECTION_ENTRY_SIZE) / 4;
  for (let i = 0; i < headerWords; i++) w.push(0);
  w.align16();
  const sections: Array<[number, number]> = [];
  const begin = (): number => {
    w.align16();
    return w.length * 4;
  };
  const end = (id: number, start: number): void => {
    sections[id] = [start, w.length * 4 - start];
  };

  // TYPE_ATTR first so TYPES can point into it; lists strictly ascending (the core merges them)
  const attrLists = typeAttrLists(model);
  const attrOff: number[] = [];
  let s = begin();
  for (const list of attrLists) {
    attrOff.push(w.length * 4);
    for (const a of list) w.push(a);
  }
  end(L.SEC_TYPE_ATTR, s);
  s = begin();
  for (let v = 1; v <= ntypes; v++) {
    const t = model.types[v - 1]!;
    w.push(attrOff[v - 1]!);
    w.push(attrLists[v - 1]!.length);
    w.push(t.bounds);
    w.push(t.permissive ? 1 : 0);
  }
  end(L.SEC_TYPES, s);

  // NAMES bitsets, then CEXPR, CONSTRAINTS, CLASSES
  const namesOf = new Map<object, [number, number]>();
  s = begin();
  for (const c of model.classes) {
    for (const con of c.constraints) {
      for (const node of con.expr) {
        if (!node.names || node.names.length === 0) continue;
        const max = Math.max(...node.names);
        const words = (max + 31) >>> 5;
        const off = w.length * 4;
        const bits = new Uint32Array(words);
        for (const v of node.names) if (v >= 1) bits[(v - 1) >>> 5]! |= 1 << ((v - 1) & 31);
        for (const x of bits) w.push(x);
        namesOf.set(node, [off, words]);
      }
    }
  }
  end(L.SEC_NAMES, s);
  s = begin();
  const consFirstExpr: number[] = [];
  let nexpr = 0;
  for (const c of model.classes) {
    for (const con of c.constraints) {
      consFirstExpr.push(nexpr);
      for (const node of con.expr) {
        const names = namesOf.get(node) ?? [0, 0];
        w.push(node.exprType);
        w.push(node.attr);
        w.push(node.op);
        w.push(names[0]);
        w.push(names[1]);
        w.push(0);
        nexpr++;
      }
    }
  }
  end(L.SEC_CEXPR, s);
  s = begin();
  const classFirstCons: number[] = [];
  let ncons = 0;
  for (const c of model.classes) {
    classFirstCons.push(ncons);
    for (const con of c.constraints) {
      w.push(con.perms);
      w.push(consFirstExpr[ncons]!);
      w.push(con.expr.length);
      w.push(0);
      ncons++;
    }
  }
  end(L.SEC_CONSTRAINTS, s);
  s = begin();
  model.classes.forEach((c, i) => {
    w.push(c.perms.length);
    w.push(classFirstCons[i]!);
    w.push(c.constraints.length);
    w.push(tables ? classLabelWord(model, tables, c.value) : 0);
  });
  end(L.SEC_CLASSES, s);

  // roles
  const roleBitsets = (members: (r: number) => readonly number[]): void => {
    for (let r = 1; r <= nroles; r++) {
      const bits = new Uint32Array(roleWords);
      for (const v of members(r)) if (v >= 1 && v <= nroles) bits[(v - 1) >>> 5]! |= 1 << ((v - 1) & 31);
      for (const x of bits) w.push(x);
    }
  };
  s = begin();
  roleBitsets((r) => model.roles[r - 1]!.dominates);
  end(L.SEC_ROLE_DOM, s);
  s = begin();
  const allows = new Map<number, number[]>();
  for (const [a, b] of model.roleAllows) {
    const list = allows.get(a) ?? [];
    list.push(b);
    allows.set(a, list);
  }
  roleBitsets((r) => allows.get(r) ?? []);
  end(L.SEC_ROLE_ALLOW, s);

  // avtab: records in (class, source, target, cond) order, then the class-major index over them
  const records = collectAvRecords(model, ntypes, nclasses);
  s = begin();
  for (const r of records) {
    w.push(r.allowed);
    w.push(r.auditallow);
    w.push(r.auditdeny);
    w.push(r.cond);
  }
  end(L.SEC_AVTAB, s);
  const index = avIndex(records, ntypes, nclasses);
  s = begin();
  for (const x of index.classMap) w.push(x);
  end(L.SEC_AV_CLASSMAP, s);
  s = begin();
  for (const x of index.groups) w.push(x);
  end(L.SEC_AV_GROUPS, s);
  s = begin();
  for (let i = 0; i < records.length; i += 2) w.push(records[i]!.target | ((records[i + 1]?.target ?? 0) << 16));
  end(L.SEC_AV_TARGETS, s);

  s = begin();
  for (let i = 0; i < model.conds.length; i++) w.push(condStateWord(opts.condResults?.[i] ?? -1));
  end(L.SEC_COND_STATE, s);

  const labels = tables ? buildLabelSections(tables) : emptyLabelSections();
  s = begin();
  for (const x of labels.rules) w.push(x);
  end(L.SEC_LABEL_RULES, s);
  s = begin();
  for (const x of labels.ranges) w.push(x);
  end(L.SEC_LABEL_RANGES, s);
  w.align16();

  // header
  const processIdx = model.classes.findIndex((c) => c.name === 'process');
  let trans = 0;
  if (processIdx >= 0) {
    model.classes[processIdx]!.perms.forEach((p, bit) => {
      if (p === 'transition' || p === 'dyntransition') trans |= 1 << bit;
    });
  }
  const hw = (off: number, v: number): void => w.set(off / 4, v);
  hw(L.H_MAGIC, L.IMG_MAGIC);
  hw(L.H_VERSION, L.IMG_VERSION);
  hw(L.H_SEQNO, opts.seqno);
  hw(L.H_SIZE, w.length * 4);
  hw(L.H_FLAGS, (model.mls ? L.IMG_FLAG_MLS : 0) | (tables ? 0 : L.IMG_FLAG_NO_LABELS));
  hw(L.H_HANDLE_UNKNOWN, HU_CODE[opts.handleUnknown ?? model.handleUnknown]);
  hw(L.H_NTYPES, ntypes);
  hw(L.H_NCLASSES, nclasses);
  hw(L.H_NROLES, nroles);
  hw(L.H_NUSERS, model.users.length);
  hw(L.H_NCONDS, model.conds.length);
  hw(L.H_PROCESS_CLASS, processIdx + 1);
  hw(L.H_PROCESS_TRANS, trans);
  hw(L.H_ROLE_WORDS, roleWords);
  hw(L.H_NSECTIONS, L.NSECTIONS);
  for (let id = 0; id < L.NSECTIONS; id++) {
    const [off, size] = sections[id] ?? [0, 0];
    hw(L.H_SECTIONS + id * L.SECTION_ENTRY_SIZE, off);
    hw(L.H_SECTIONS + id * L.SECTION_ENTRY_SIZE + 4, size);
  }
  return w.bytes();
}

/** Byte offset and count of the COND_STATE words inside an image. */
export function condStateSection(image: Uint8Array): { offset: number; count: number } {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const entry = L.H_SECTIONS + L.SEC_COND_STATE * L.SECTION_ENTRY_SIZE;
  return { offset: dv.getUint32(entry, true), count: dv.getUint32(entry + 4, true) / 4 };
}

/** Read a header field of an image (validation helpers and tests). */
export function imageHeader(image: Uint8Array, field: number): number {
  return new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(field, true);
}
