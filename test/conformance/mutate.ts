/**
 * Seeded mutations of real policies for the differential "loads or not" fuzz test
 * (mutation-fuzz.test.ts). Every mutant carries a one-line description so a divergence can be
 * reproduced by hand.
 *
 * Binary mutations work on a valid policy whose section offsets are known (binaryPolicySections):
 * bit flips and u32 field edits near a section start, truncation, and structural duplicates (an avtab
 * item, a conditional-list item, a type record) with the count field raised to match, so that the
 * copy is read as a record and not as garbage.
 * Text mutations work on statements (one a line in checkpolicy -F output and in the embedded policy):
 * deleted, duplicated, truncated statements, the file cut at any point, swapped and deleted tokens.
 */
import { binaryPolicySections } from '../../src/policy/binary.js';

/** xorshift32: deterministic, seedable; r(n) is in 0..n-1 */
export function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

export interface Mutant<T> {
  readonly what: string;
  readonly data: T;
}

/** u32 values a corrupted count or length field takes: 4 GiB - 1, 2 GiB, off-by-one, zero. */
const FIELD_VALUES = [0xffffffff, 0x80000000, 0x7fffffff, 0x10000, 0xffff, 0, 1, 2];

function u32(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
}

export function withU32(b: Uint8Array, at: number, v: number): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setUint32(at, v >>> 0, true);
  return out;
}

/** `src` with `src[from, from+len)` inserted again right after itself, and the u32 at `countAt` + 1. */
export function duplicateRecord(src: Uint8Array, from: number, len: number, countAt: number): Uint8Array {
  const out = new Uint8Array(src.length + len);
  out.set(src.subarray(0, from + len));
  out.set(src.subarray(from, from + len), from + len);
  out.set(src.subarray(from + len), from + 2 * len);
  new DataView(out.buffer).setUint32(countAt, u32(src, countAt) + 1, true);
  return out;
}

/** avtab item size (v >= 20 format): 8-byte key + u32 datum, or + 34-byte xperm datum. */
export function avtabItemSize(b: Uint8Array, at: number): number {
  const specified = (b[at + 6]! | (b[at + 7]! << 8)) & 0x7fff;
  return (specified & 0x0700) !== 0 ? 8 + 34 : 12;
}

/** Offsets of the first `max` items of a list whose u32 count sits at `countAt`; returns end too. */
export function avtabItems(b: Uint8Array, countAt: number, max: number): { items: number[]; end: number } {
  const n = u32(b, countAt);
  const items: number[] = [];
  let at = countAt + 4;
  for (let i = 0; i < n; i++) {
    if (i < max) items.push(at);
    at += avtabItemSize(b, at);
  }
  return { items, end: at };
}

/** Every conditional list (true and false of each node): offset of its u32 count. */
export function condLists(b: Uint8Array, condAt: number): number[] {
  const lists: number[] = [];
  const nodes = u32(b, condAt);
  let at = condAt + 4;
  for (let i = 0; i < nodes; i++) {
    at += 4; // cur_state
    const nexpr = u32(b, at);
    at += 4 + 8 * nexpr;
    for (let l = 0; l < 2; l++) {
      lists.push(at);
      at = avtabItems(b, at, 0).end;
    }
  }
  return lists;
}

/** Type records: `[len, value, properties, bounds] name`. Returns [offset, size] of each. */
function typeRecords(b: Uint8Array, typesAt: number, max: number): Array<[number, number]> {
  const nel = u32(b, typesAt + 4);
  const out: Array<[number, number]> = [];
  let at = typesAt + 8;
  for (let i = 0; i < Math.min(nel, max); i++) {
    const size = 16 + u32(b, at);
    out.push([at, size]);
    at += size;
  }
  return out;
}

/** A generator of binary mutants of one valid policy. */
export function binaryMutator(src: Uint8Array, seed: number): () => Mutant<Uint8Array> {
  const r = rng(seed);
  const marks = binaryPolicySections(src).filter((m) => m.offset < src.length);
  const offsetOf = (name: string): number => marks.find((m) => m.section === name)!.offset;
  const avtabAt = offsetOf('avtab');
  const condAt = offsetOf('conditionals');
  const avItems = avtabItems(src, avtabAt, 4096).items;
  const lists = condLists(src, condAt).filter((at) => u32(src, at) > 0);
  const types = typeRecords(src, offsetOf('symbols/types'), 4096);
  /** a position near the start of a random section (most checks sit in the first bytes) */
  const near = (): { at: number; section: string } => {
    const m = marks[r(marks.length)]!;
    const next = marks.find((x) => x.offset > m.offset)?.offset ?? src.length;
    const span = Math.max(1, Math.min(next - m.offset, r(4) === 0 ? 1 << 20 : 256));
    return { at: Math.min(src.length - 1, m.offset + r(span)), section: m.section };
  };
  return () => {
    switch (r(7)) {
      case 0: {
        const out = src.slice();
        const flips: string[] = [];
        for (let i = 1 + r(3); i > 0; i--) {
          const { at, section } = near();
          const bit = r(8);
          out[at] = out[at]! ^ (1 << bit);
          flips.push(`${section}@${at}.${bit}`);
        }
        return { what: `bit flips ${flips.join(' ')}`, data: out };
      }
      case 1: {
        const { at, section } = near();
        return { what: `truncated at byte ${at} (${section})`, data: src.subarray(0, at) };
      }
      case 2:
      case 3: {
        const { section } = near();
        const { at } = near();
        const field = Math.min(at, src.length - 4);
        const old = u32(src, field);
        const v = r(3) === 0 ? old + (r(2) === 0 ? 1 : -1) : FIELD_VALUES[r(FIELD_VALUES.length)]!;
        return { what: `u32 at byte ${field} (${section}) ${old} -> ${v >>> 0}`, data: withU32(src, field, v) };
      }
      case 4: {
        const at = avItems[r(avItems.length)]!;
        return { what: `avtab item at byte ${at} duplicated`, data: duplicateRecord(src, at, avtabItemSize(src, at), avtabAt) };
      }
      case 5: {
        if (lists.length === 0) break;
        const listAt = lists[r(lists.length)]!;
        const items = avtabItems(src, listAt, 64).items;
        const at = items[r(items.length)]!;
        return { what: `conditional list item at byte ${at} duplicated`, data: duplicateRecord(src, at, avtabItemSize(src, at), listAt) };
      }
      default:
        break;
    }
    const [at, size] = types[r(types.length)]!;
    return { what: `type record at byte ${at} duplicated`, data: duplicateRecord(src, at, size, offsetOf('symbols/types') + 4) };
  };
}

/** A generator of text mutants of one policy.conf. */
export function textMutator(src: string, seed: number): () => Mutant<string> {
  const r = rng(seed);
  const lines = src.split('\n');
  const code = lines.map((l, i) => [l, i] as const).filter(([l]) => /\S/.test(l) && !/^\s*#/.test(l)).map(([, i]) => i);
  const pick = (): number => code[r(code.length)]!;
  const join = (ls: readonly string[]): string => ls.join('\n');
  return () => {
    switch (r(7)) {
      case 0: {
        const i = pick();
        return { what: `line ${i + 1} deleted: ${lines[i]!.trim().slice(0, 60)}`, data: join(lines.filter((_, j) => j !== i)) };
      }
      case 1: {
        const i = pick();
        const out = lines.slice();
        out.splice(i, 0, lines[i]!);
        return { what: `line ${i + 1} duplicated: ${lines[i]!.trim().slice(0, 60)}`, data: join(out) };
      }
      case 2: {
        const i = pick();
        return { what: `file cut before line ${i + 1}`, data: join(lines.slice(0, i)) };
      }
      case 3: {
        const i = pick();
        const cut = r(lines[i]!.length + 1);
        return { what: `file cut at line ${i + 1} column ${cut + 1}`, data: join([...lines.slice(0, i), lines[i]!.slice(0, cut)]) };
      }
      case 4: {
        const i = pick();
        const cut = 1 + r(Math.max(1, lines[i]!.length - 1));
        const out = lines.slice();
        out[i] = lines[i]!.slice(0, cut);
        return { what: `line ${i + 1} truncated at column ${cut + 1}`, data: join(out) };
      }
      default: {
        const i = pick();
        const tokens = lines[i]!.trim().split(/\s+/);
        const out = lines.slice();
        if (tokens.length < 2 || r(2) === 0) {
          const k = r(tokens.length);
          out[i] = tokens.filter((_, j) => j !== k).join(' ');
          return { what: `line ${i + 1} token ${k + 1} deleted`, data: join(out) };
        }
        const k = r(tokens.length - 1);
        [tokens[k], tokens[k + 1]] = [tokens[k + 1]!, tokens[k]!];
        out[i] = tokens.join(' ');
        return { what: `line ${i + 1} tokens ${k + 1},${k + 2} swapped`, data: join(out) };
      }
    }
  };
}
