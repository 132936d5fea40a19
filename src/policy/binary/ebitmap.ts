/**
 * On-disk ebitmaps (S src/ebitmap.c:ebitmap_read, K ss/ebitmap.c:ebitmap_read).
 *
 * Layout: `[mapsize u32 = 64, highbit u32, count u32]` then count x `{startbit u32, map u64}`.
 * Checks (all fatal, as in libsepol/the kernel): mapsize is 64; a zero highbit ends the map (its
 * count is ignored and no nodes follow); highbit is a multiple of 64; a non-zero highbit has nodes; each startbit
 * is a multiple of 64, strictly ascending and <= highbit - 64; no map is zero; and highbit equals the
 * last startbit + 64.
 *
 * Decoded forms: a sorted array of set bit indices (`readEbitmap`), or the 1024-bit CategorySet
 * (`readCategoryBits`). `limit` is the exclusive upper bound on set bits (e.g. nprim of the symbol
 * table the bits index into); a bit at or above it is rejected with the node's offset.
 */
import { CategorySet, MAX_CATEGORIES } from '../../context/categories.js';
import type { Cursor } from './cursor.js';

/** bytes of one node on disk: startbit u32 + map u64 */
const NODE_BYTES = 12;
const MAPSIZE = 64;

interface Header {
  highbit: number;
  count: number;
}

function readHeader(c: Cursor, what: string): Header {
  const at = c.pos;
  const mapsize = c.u32();
  const highbit = c.u32();
  const count = c.u32();
  if (mapsize !== MAPSIZE) c.fail(`${what}: ebitmap map size ${mapsize}, expected 64`, at);
  // high bit 0 is an empty map whatever the count says; no nodes follow (S ebitmap.c ebitmap_read,
  // K ss/ebitmap.c ebitmap_read both stop reading there)
  if (highbit === 0) return { highbit, count: 0 };
  if (highbit % MAPSIZE !== 0) c.fail(`${what}: ebitmap high bit ${highbit} is not a multiple of 64`, at);
  if (highbit !== 0 && count === 0) c.fail(`${what}: ebitmap high bit ${highbit} but no nodes`, at);
  c.checkCount(count, NODE_BYTES, `${what}: ebitmap node`, at + 8);
  return { highbit, count };
}

/**
 * Walk the nodes, validating, and hand each (startbit, lo32, hi32) to `visit`.
 * Returns nothing; errors are thrown with the offending node's offset.
 */
function walkNodes(
  c: Cursor,
  h: Header,
  limit: number,
  what: string,
  visit: (startbit: number, lo: number, hi: number) => void,
): void {
  let prev = -1;
  for (let i = 0; i < h.count; i++) {
    const at = c.pos;
    const startbit = c.u32();
    const lo = c.u32();
    const hi = c.u32();
    if (startbit % MAPSIZE !== 0) c.fail(`${what}: ebitmap start bit ${startbit} is not a multiple of 64`, at);
    if (startbit > h.highbit - MAPSIZE) c.fail(`${what}: ebitmap start bit ${startbit} is beyond high bit ${h.highbit}`, at);
    if (startbit <= prev) c.fail(`${what}: ebitmap start bit ${startbit} does not ascend (after ${prev})`, at);
    if (lo === 0 && hi === 0) c.fail(`${what}: ebitmap node at start bit ${startbit} has an empty map`, at);
    // highest set bit of this node must stay below `limit`
    const top = hi !== 0 ? startbit + 63 - Math.clz32(hi) : startbit + 31 - Math.clz32(lo);
    if (top >= limit) c.fail(`${what}: bit ${top} out of range (limit ${limit})`, at);
    prev = startbit;
    visit(startbit, lo, hi);
    if (i === h.count - 1 && startbit + MAPSIZE !== h.highbit) {
      c.fail(`${what}: ebitmap high bit ${h.highbit} does not match last node end ${startbit + MAPSIZE}`, at);
    }
  }
}

function pushBits(out: number[], base: number, word: number): void {
  while (word !== 0) {
    const low = word & -word;
    out.push(base + 31 - Math.clz32(low));
    word ^= low;
  }
}

/** Read an ebitmap as sorted bit indices; every bit must be < limit. */
export function readEbitmap(c: Cursor, limit: number, what: string): number[] {
  const h = readHeader(c, what);
  const out: number[] = [];
  if (h.count === 0) return out;
  walkNodes(c, h, limit, what, (startbit, lo, hi) => {
    pushBits(out, startbit, lo);
    pushBits(out, startbit + 32, hi);
  });
  return out;
}

/** Read an ebitmap as sorted symbol values (bit i = value i + 1); every value must be <= nprim. */
export function readValueSet(c: Cursor, nprim: number, what: string): number[] {
  const bits = readEbitmap(c, nprim, what);
  for (let i = 0; i < bits.length; i++) bits[i] = bits[i]! + 1;
  return bits;
}

/**
 * Read a category ebitmap into a CategorySet (bit i = category value i + 1). `ncats` is the
 * number of declared categories (already checked to be <= 1024 by the symbol reader).
 */
export function readCategoryBits(c: Cursor, ncats: number, what: string): CategorySet {
  const h = readHeader(c, what);
  const set = new CategorySet();
  if (h.count === 0) return set;
  const limit = Math.min(ncats, MAX_CATEGORIES);
  const words = set.words;
  walkNodes(c, h, limit, what, (startbit, lo, hi) => {
    const w = startbit >>> 5;
    words[w] = lo;
    words[w + 1] = hi;
  });
  return set;
}
