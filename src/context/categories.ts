/**
 * A fixed 1024-bit category set, the TypeScript twin of the Wasm core's 16 x u64 set.
 *
 * Invariant: bit i (word i >>> 5, bit i & 31) stands for the category with value i + 1, which in
 * MCS/MLS policies is `c{i}`. The byte layout (32 little-endian u32 words = 16 little-endian u64
 * words, 128 bytes) is exactly what the Wasm image stores, so `words` can be copied verbatim.
 * MCS/MLS policies stop at c1023 (refpolicy MCS_CATS/MLS_CATS = 1024); larger policies are rejected
 * by the loaders.
 */
export const MAX_CATEGORIES = 1024;
export const CATEGORY_WORDS = MAX_CATEGORIES / 32;
export const CATEGORY_SET_BYTES = MAX_CATEGORIES / 8;

export class CategorySet {
  readonly words: Uint32Array;

  constructor(words?: Uint32Array) {
    this.words = words ?? new Uint32Array(CATEGORY_WORDS);
  }

  static of(...indices: number[]): CategorySet {
    const set = new CategorySet();
    for (const i of indices) set.add(i);
    return set;
  }

  /** every category index in [low, high], inclusive */
  static range(low: number, high: number): CategorySet {
    const set = new CategorySet();
    set.addRange(low, high);
    return set;
  }

  clone(): CategorySet {
    return new CategorySet(this.words.slice());
  }

  has(index: number): boolean {
    if (index < 0 || index >= MAX_CATEGORIES) return false;
    return ((this.words[index >>> 5]! >>> (index & 31)) & 1) === 1;
  }

  add(index: number): this {
    checkIndex(index);
    this.words[index >>> 5]! |= 1 << (index & 31);
    return this;
  }

  delete(index: number): this {
    checkIndex(index);
    this.words[index >>> 5]! &= ~(1 << (index & 31));
    return this;
  }

  addRange(low: number, high: number): this {
    checkIndex(low);
    checkIndex(high);
    for (let i = low; i <= high; i++) this.words[i >>> 5]! |= 1 << (i & 31);
    return this;
  }

  isEmpty(): boolean {
    for (const w of this.words) if (w !== 0) return false;
    return true;
  }

  get size(): number {
    let n = 0;
    for (let w of this.words) {
      while (w !== 0) {
        w &= w - 1;
        n++;
      }
    }
    return n;
  }

  /** this ⊇ other */
  contains(other: CategorySet): boolean {
    for (let i = 0; i < CATEGORY_WORDS; i++) {
      const o = other.words[i]!;
      if (((this.words[i]! & o) >>> 0) !== o) return false; // >>> 0: & yields int32, words are uint32
    }
    return true;
  }

  equals(other: CategorySet): boolean {
    for (let i = 0; i < CATEGORY_WORDS; i++) if (this.words[i] !== other.words[i]) return false;
    return true;
  }

  union(other: CategorySet): CategorySet {
    const out = new CategorySet();
    for (let i = 0; i < CATEGORY_WORDS; i++) out.words[i] = this.words[i]! | other.words[i]!;
    return out;
  }

  intersect(other: CategorySet): CategorySet {
    const out = new CategorySet();
    for (let i = 0; i < CATEGORY_WORDS; i++) out.words[i] = this.words[i]! & other.words[i]!;
    return out;
  }

  /** index of the highest set bit, or -1 */
  highest(): number {
    for (let i = CATEGORY_WORDS - 1; i >= 0; i--) {
      const w = this.words[i]!;
      if (w !== 0) return i * 32 + 31 - Math.clz32(w);
    }
    return -1;
  }

  /** ascending indices */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = 0; i < CATEGORY_WORDS; i++) {
      let w = this.words[i]!;
      while (w !== 0) {
        const bit = 31 - Math.clz32(w & -w);
        yield i * 32 + bit;
        w &= w - 1;
      }
    }
  }

  toArray(): number[] {
    return [...this];
  }

  /**
   * Maximal runs of consecutive indices, ascending: the unit of libsepol's canonical output
   * (K ss/mls.c:mls_sid_to_context).
   */
  runs(): Array<[number, number]> {
    const runs: Array<[number, number]> = [];
    let start = -1;
    let prev = -2;
    for (const i of this) {
      if (i === prev + 1) {
        prev = i;
        continue;
      }
      if (start >= 0) runs.push([start, prev]);
      start = prev = i;
    }
    if (start >= 0) runs.push([start, prev]);
    return runs;
  }
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CATEGORIES) {
    throw new RangeError(`category index ${index} outside 0..${MAX_CATEGORIES - 1}`);
  }
}

/**
 * Canonical category text as libsepol prints it: maximal runs, a run of 1 → `cN`, of 2 → `cA,cB`,
 * of 3 or more → `cA.cB`, joined by commas. `name(i)` gives the category's canonical name.
 */
export function formatCategories(set: CategorySet, name: (index: number) => string): string {
  const parts: string[] = [];
  for (const [a, b] of set.runs()) {
    if (a === b) parts.push(name(a));
    else if (b === a + 1) parts.push(name(a), name(b));
    else parts.push(`${name(a)}.${name(b)}`);
  }
  return parts.join(',');
}
