/**
 * The MCS category-pair allocator: unique `sN:cA,cB` levels (A < B) for guests, drawn uniformly at
 * random from a category range, O(1) per allocation and release however full the pool is.
 *
 * Model (libvirt virSecuritySELinuxMCSFind, docs/libvirt-labels.md):
 * - The pool is one contiguous run of categories cMin..cMax at one sensitivity, read from a range
 *   such as `s0-s0:c0.c1023` (sensitivity = the low one). No category part means c0..c1023. A
 *   single category, a comma list or several runs are errors; fewer than 8 categories is an error.
 * - Labels are unordered pairs of two DISTINCT categories (never A == B: CVE-2021-3631), printed
 *   smaller first. N categories give N(N-1)/2 pairs (523,776 for 1024).
 * - libvirt redraws on collision with no bound, so a full pool spins forever; here a dense index
 *   of free pair ids makes every draw hit a free pair, and a full pool fails at once with
 *   E_ALLOC_EXHAUSTED.
 *
 * Pair ids (co-lex rank of 2-subsets, relative offsets a < b within the pool):
 *   id(a, b) = b(b-1)/2 + a,   0 <= a < b < N,   0 <= id < N(N-1)/2.
 * Inverse: b = floor((1 + sqrt(1 + 8 id)) / 2) (corrected by ±1 for float error), a = id - b(b-1)/2.
 *
 * Free index invariant: `free[0 .. nFree)` holds exactly the free ids; `pos[id]` is the index of a
 * free id in `free`, or -1 when the id is taken. Allocation picks `free[r]` for a uniform r, then
 * swap-removes it; release appends. Both are O(1); the draw is uniform over the free pairs.
 */
import { allocationExhausted, labelError, quoteInput } from '../errors.js';

/** A source of uniform random numbers in [0, 1) (Math.random, or a seeded generator for tests). */
export type Rng = () => number;

/** Minimum pool size (libvirt: "Category range c%d-c%d too small"). */
export const MIN_CATEGORIES = 8;
/** The largest category value MCS/MLS policies use (c1023). */
export const MAX_CATEGORY = 1023;

/** The allocator's pool: one sensitivity and one contiguous category run. */
export interface McsPool {
  /** sensitivity name, e.g. `s0` */
  readonly sens: string;
  /** first category number (inclusive) */
  readonly catMin: number;
  /** last category number (inclusive) */
  readonly catMax: number;
}

/** A parsed MCS level `sN[:cats]`: sensitivity name and ascending distinct category numbers. */
export interface McsLevel {
  readonly sens: string;
  readonly cats: readonly number[];
}

/** mulberry32: a small seedable 32-bit generator (uniform [0,1)); for tests and benchmarks. */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Parse an MCS level `sN`, `sN:cA`, `sN:cA,cB`, `sN:cA.cB,cC`: the categories expanded, sorted,
 * deduplicated. Throws E_LABEL naming the offending text for anything else (including c > 1023,
 * a reversed run `c9.c3`, empty items, spaces).
 */
export function parseMcsLevel(text: string): McsLevel {
  const colon = text.indexOf(':');
  const sens = colon < 0 ? text : text.slice(0, colon);
  if (!/^s\d+$/.test(sens)) throw labelError(`invalid MCS level ${quoteInput(text)}: sensitivity ${quoteInput(sens)} is not sN`);
  if (colon < 0) return { sens, cats: [] };
  const cats = new Set<number>();
  for (const item of text.slice(colon + 1).split(',')) {
    const m = /^c(\d{1,4})(?:\.c(\d{1,4}))?$/.exec(item);
    if (!m) throw labelError(`invalid MCS level ${quoteInput(text)}: bad category item ${quoteInput(item)}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > MAX_CATEGORY || hi > MAX_CATEGORY) throw labelError(`invalid MCS level ${quoteInput(text)}: category above c${MAX_CATEGORY}`);
    if (hi < lo) throw labelError(`invalid MCS level ${quoteInput(text)}: reversed category run ${quoteInput(item)}`);
    for (let c = lo; c <= hi; c++) cats.add(c);
  }
  return { sens, cats: [...cats].sort((x, y) => x - y) };
}

/**
 * The allocation pool from a process range like `s0-s0:c0.c1023` (libvirt
 * virSecuritySELinuxMCSGetProcessRange): the LOW sensitivity, and the category part of the whole
 * range text, which must be one contiguous run `cA.cB` (or absent → c0..c1023).
 */
export function parsePoolRange(range: string): McsPool {
  const colon = range.indexOf(':');
  const sensPart = colon < 0 ? range : range.slice(0, colon);
  const sens = sensPart.split('-')[0] ?? '';
  if (!/^s\d+$/.test(sens)) throw labelError(`MCS range ${quoteInput(range)}: cannot parse sensitivity ${quoteInput(sensPart)}`);
  if (colon < 0) return { sens, catMin: 0, catMax: MAX_CATEGORY };
  const catText = range.slice(colon + 1);
  const single = /^c(\d{1,4})$/.exec(catText);
  if (single) throw labelError(`MCS range ${quoteInput(range)}: no category range available (a single category)`);
  const run = /^c(\d{1,4})\.c(\d{1,4})$/.exec(catText);
  if (!run) {
    throw labelError(`MCS range ${quoteInput(range)}: cannot parse category part ${quoteInput(catText)} (it must be one contiguous run cA.cB)`);
  }
  const catMin = Number(run[1]);
  const catMax = Number(run[2]);
  if (catMax > MAX_CATEGORY) throw labelError(`MCS range ${quoteInput(range)}: category c${catMax} above c${MAX_CATEGORY}`);
  if (catMax < catMin) throw labelError(`MCS range ${quoteInput(range)}: reversed category run`);
  if (catMax - catMin + 1 < MIN_CATEGORIES) {
    throw labelError(`MCS range ${quoteInput(range)}: category range c${catMin}-c${catMax} too small (at least ${MIN_CATEGORIES} categories)`);
  }
  return { sens, catMin, catMax };
}

/** Number of pairs of N categories: N(N-1)/2. */
export function pairCount(categories: number): number {
  return (categories * (categories - 1)) / 2;
}

/** co-lex rank of the pair of relative offsets a < b */
export function pairId(a: number, b: number): number {
  return (b * (b - 1)) / 2 + a;
}

/** inverse of pairId: [a, b] with a < b */
export function pairOf(id: number): [number, number] {
  let b = Math.floor((1 + Math.sqrt(1 + 8 * id)) / 2);
  // float rounding can be off by one near perfect squares: fix so that b(b-1)/2 <= id < b(b+1)/2
  while ((b * (b - 1)) / 2 > id) b--;
  while ((b * (b + 1)) / 2 <= id) b++;
  return [id - (b * (b - 1)) / 2, b];
}

export class McsAllocator {
  readonly pool: McsPool;
  /** categories in the pool */
  readonly categories: number;
  /** pairs in the pool: N(N-1)/2 */
  readonly total: number;
  private readonly free: Uint32Array;
  private readonly pos: Int32Array;
  private nFree: number;
  private readonly rng: Rng;

  constructor(pool: McsPool | string = { sens: 's0', catMin: 0, catMax: MAX_CATEGORY }, rng: Rng = Math.random) {
    this.pool = typeof pool === 'string' ? parsePoolRange(pool) : pool;
    this.categories = this.pool.catMax - this.pool.catMin + 1;
    if (!Number.isInteger(this.pool.catMin) || this.pool.catMin < 0 || this.pool.catMax > MAX_CATEGORY || this.categories < MIN_CATEGORIES) {
      throw labelError(`MCS pool c${this.pool.catMin}-c${this.pool.catMax}: need ${MIN_CATEGORIES}..${MAX_CATEGORY + 1} categories within c0..c${MAX_CATEGORY}`);
    }
    this.total = pairCount(this.categories);
    this.free = new Uint32Array(this.total);
    this.pos = new Int32Array(this.total);
    this.rng = rng;
    this.nFree = 0;
    this.reset();
  }

  /** pairs still free */
  get available(): number {
    return this.nFree;
  }

  /** pairs taken */
  get used(): number {
    return this.total - this.nFree;
  }

  /** Free every pair, then take `taken` (pair ids). O(total). */
  reset(taken: Iterable<number> = []): void {
    for (let i = 0; i < this.total; i++) {
      this.free[i] = i;
      this.pos[i] = i;
    }
    this.nFree = this.total;
    for (const id of taken) this.take(id);
  }

  /** Draw a uniformly random free pair, mark it taken, return its id. E_ALLOC_EXHAUSTED when full. */
  allocateId(): number {
    if (this.nFree === 0) throw allocationExhausted(this.total);
    let r = Math.floor(this.rng() * this.nFree);
    if (r >= this.nFree || r < 0) r = this.nFree - 1; // an rng returning 1.0 (out of contract) stays in bounds
    const id = this.free[r]!;
    this.removeAt(r, id);
    return id;
  }

  /** allocate and return the level text `sN:cA,cB` */
  allocate(): string {
    return this.levelOf(this.allocateId());
  }

  /** Mark `id` taken. Returns false when it was already taken. */
  take(id: number): boolean {
    this.checkId(id);
    const p = this.pos[id]!;
    if (p < 0) return false;
    this.removeAt(p, id);
    return true;
  }

  /** Give `id` back. Returns false when it was already free. */
  release(id: number): boolean {
    this.checkId(id);
    if (this.pos[id]! >= 0) return false;
    this.free[this.nFree] = id;
    this.pos[id] = this.nFree;
    this.nFree++;
    return true;
  }

  isFree(id: number): boolean {
    this.checkId(id);
    return this.pos[id]! >= 0;
  }

  /** `sN:cA,cB` for a pair id */
  levelOf(id: number): string {
    const [a, b] = pairOf(id);
    return `${this.pool.sens}:c${this.pool.catMin + a},c${this.pool.catMin + b}`;
  }

  /** categories [A, B] of a pair id (absolute numbers) */
  categoriesOf(id: number): [number, number] {
    const [a, b] = pairOf(id);
    return [this.pool.catMin + a, this.pool.catMin + b];
  }

  /**
   * The pair id of a level when it is exactly two distinct categories inside the pool at the
   * pool's sensitivity; undefined otherwise (single category, other sensitivity, out of range…:
   * such levels are reserved by text only).
   */
  idOfLevel(level: McsLevel | string): number | undefined {
    const l = typeof level === 'string' ? parseMcsLevel(level) : level;
    if (l.sens !== this.pool.sens || l.cats.length !== 2) return undefined;
    const [x, y] = l.cats as [number, number];
    if (x < this.pool.catMin || y > this.pool.catMax || x >= y) return undefined;
    return pairId(x - this.pool.catMin, y - this.pool.catMin);
  }

  private removeAt(p: number, id: number): void {
    const last = this.nFree - 1;
    const moved = this.free[last]!;
    this.free[p] = moved;
    this.pos[moved] = p;
    this.pos[id] = -1;
    this.nFree = last;
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.total) throw labelError(`MCS pair id ${id} outside 0..${this.total - 1}`);
  }
}
