/**
 * The new-object label part of the policy image (read by assembly/transition.ts):
 * - SEC_LABEL_RULES: an open-addressing hash table of LABEL_REC records over type_transition /
 *   type_member / type_change (plain and conditional), role_transition and range_transition, keyed
 *   (kind, a, b, class), linear probing from labelRuleHash; at most half full, so probes are short
 *   and always meet an empty slot. Per key, the unconditional record is inserted before the
 *   conditional ones (in policy order): the probe meets them in that order, which is the kernel's
 *   choice (the unconditional avtab entry, else the first enabled conditional node's).
 * - SEC_LABEL_RANGES: the ranges of range_transition rules (RANGE_REC).
 * - CLASS_LABEL word per class: default_user / default_role / default_type / default_range and
 *   whether the kernel treats the class as a socket.
 * File-name type_transitions stay in TS (src/security/label-tables.ts filenameRules): the server
 * looks the name up and passes the new type to the core.
 */
import type { MlsLevel, MlsRange, PolicyModel } from '../policy/model.js';
import * as L from '../wasm/layout.js';
import type { LabelTables } from './label-tables.js';

/** The core's rule-key hash (assembly/transition.ts labelRuleHash), u32 arithmetic. */
export function labelRuleHash(hi: number, lo: number): number {
  let h = (Math.imul(hi, 0x9e3779b1) ^ lo) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

const RANGE_CODE: Readonly<Record<string, number>> = {
  'source low': L.DRANGE_SOURCE_LOW,
  'source high': L.DRANGE_SOURCE_HIGH,
  'source low-high': L.DRANGE_SOURCE_LOW_HIGH,
  'target low': L.DRANGE_TARGET_LOW,
  'target high': L.DRANGE_TARGET_HIGH,
  'target low-high': L.DRANGE_TARGET_LOW_HIGH,
  glblub: L.DRANGE_GLBLUB,
};

const SIDE_CODE = (side: 'source' | 'target' | undefined): number => (side === 'source' ? L.CDEF_SOURCE : side === 'target' ? L.CDEF_TARGET : L.CDEF_NONE);

/**
 * The CLASS_LABEL word of class value `c`. A default_range the oracle does not know is no default
 * there either (src/security/compute-sid.ts newRange), so it maps to DRANGE_NONE here too.
 */
export function classLabelWord(model: PolicyModel, tables: LabelTables, c: number): number {
  const d = model.classes[c - 1]?.defaults;
  let w = (SIDE_CODE(d?.user) << L.CDEF_USER_SHIFT) | (SIDE_CODE(d?.role) << L.CDEF_ROLE_SHIFT) | (SIDE_CODE(d?.type) << L.CDEF_TYPE_SHIFT);
  w |= (d?.range !== undefined ? (RANGE_CODE[d.range] ?? L.DRANGE_NONE) : L.DRANGE_NONE) << L.CDEF_RANGE_SHIFT;
  if (tables.socketClass[c] === 1) w |= L.CDEF_SOCKET;
  if (classesWith(tables).role.has(c)) w |= L.CDEF_HAS_ROLE_TR;
  if (classesWith(tables).range.has(c)) w |= L.CDEF_HAS_RANGE_TR;
  return w >>> 0;
}

const classSets = new WeakMap<LabelTables, { role: Set<number>; range: Set<number> }>();

/** The classes named by role_transition and by range_transition rules. */
function classesWith(tables: LabelTables): { role: Set<number>; range: Set<number> } {
  let sets = classSets.get(tables);
  if (!sets) {
    sets = { role: new Set([...tables.roleRules.entries()].map((e) => e[2])), range: new Set([...tables.rangeRules.entries()].map((e) => e[2])) };
    classSets.set(tables, sets);
  }
  return sets;
}

export interface LabelSections {
  /** SEC_LABEL_RULES words */
  readonly rules: Uint32Array;
  /** SEC_LABEL_RANGES words */
  readonly ranges: Uint32Array;
}

/** An empty (all-slots-free) rule table: for images whose label rules could not be read (IMG_FLAG_NO_LABELS). */
export function emptyLabelSections(): LabelSections {
  return { rules: new Uint32Array(16 * (L.LABEL_REC_SIZE / 4)), ranges: new Uint32Array(0) };
}

export function buildLabelSections(tables: LabelTables): LabelSections {
  type Rec = [hi: number, lo: number, value: number, cond: number];
  const recs: Rec[] = [];
  const ranges: MlsRange[] = [];
  const kinds = [
    ['type_transition', L.LRULE_TYPE_TRANSITION],
    ['type_member', L.LRULE_TYPE_MEMBER],
    ['type_change', L.LRULE_TYPE_CHANGE],
  ] as const;
  const key = (kind: number, a: number, b: number, c: number): [number, number] => [((kind << 16) | a) >>> 0, ((b << 16) | c) >>> 0];
  // unconditional first (one per key), then conditional candidates in policy order
  for (const [name, kind] of kinds) for (const [a, b, c, v] of tables.typeRules[name].entries()) recs.push([...key(kind, a, b, c), v, L.AV_UNCONDITIONAL]);
  for (const [a, b, c, v] of tables.roleRules.entries()) recs.push([...key(L.LRULE_ROLE_TRANSITION, a, b, c), v, L.AV_UNCONDITIONAL]);
  for (const [a, b, c, r] of tables.rangeRules.entries()) {
    recs.push([...key(L.LRULE_RANGE_TRANSITION, a, b, c), ranges.length, L.AV_UNCONDITIONAL]);
    ranges.push(r);
  }
  for (const [name, kind] of kinds) {
    for (const [a, b, c, list] of tables.condTypeRules[name].entries()) {
      for (const cr of list) recs.push([...key(kind, a, b, c), cr.result, ((cr.node << 1) | (cr.branch ? 1 : 0)) >>> 0]);
    }
  }
  let slots = 16;
  while (slots < recs.length * 2) slots *= 2;
  const words = L.LABEL_REC_SIZE / 4;
  const rules = new Uint32Array(slots * words);
  const mask = slots - 1;
  for (const [hi, lo, value, cond] of recs) {
    let i = labelRuleHash(hi, lo) & mask;
    while (rules[i * words + L.LABEL_KEY_HI / 4] !== 0) i = (i + 1) & mask;
    const at = i * words;
    rules[at + L.LABEL_KEY_HI / 4] = hi;
    rules[at + L.LABEL_KEY_LO / 4] = lo;
    rules[at + L.LABEL_VALUE / 4] = value;
    rules[at + L.LABEL_COND / 4] = cond;
  }
  const rw = L.RANGE_REC_SIZE / 4;
  const out = new Uint32Array(ranges.length * rw);
  ranges.forEach((r, k) => {
    writeLevel(out, k * rw + L.RANGE_LOW / 4, r.low);
    writeLevel(out, k * rw + L.RANGE_HIGH / 4, r.high);
  });
  return { rules, ranges: out };
}

function writeLevel(out: Uint32Array, word: number, level: MlsLevel): void {
  out[word + L.LEVEL_SENS / 4] = level.sens;
  out.set(level.cats.words, word + L.LEVEL_CATS / 4);
}
