/**
 * MCS allocator properties (fast-check): every draw is a pair A < B inside the pool, never A == B
 * (CVE-2021-3631), never handed out twice while held; the pool is exhausted exactly at N(N-1)/2
 * with a typed error; a release makes exactly that pair available again; reservations (static
 * labels) are never drawn; pair ids round-trip through the triangular-number formula.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { McsAllocator, pairCount, pairId, pairOf, parseMcsLevel, parsePoolRange, seededRng } from '../../src/label/mcs-alloc.js';

const poolArb = fc
  .record({ catMin: fc.integer({ min: 0, max: 1000 }), size: fc.integer({ min: 8, max: 24 }) })
  .filter(({ catMin, size }) => catMin + size - 1 <= 1023)
  .map(({ catMin, size }) => ({ sens: 's0', catMin, catMax: catMin + size - 1 }));

function cats(level: string): [number, number] {
  const m = /^s0:c(\d+),c(\d+)$/.exec(level);
  if (!m) throw new Error(`not a pair level: ${level}`);
  return [Number(m[1]), Number(m[2])];
}

describe('McsAllocator', () => {
  it('pair ids round-trip (triangular numbers), for every id of the full 1024 pool edges and random ids', () => {
    const total = pairCount(1024);
    expect(total).toBe(523_776);
    for (const id of [0, 1, 2, total - 1, total - 2, 130_815, 130_816]) {
      const [a, b] = pairOf(id);
      expect(a).toBeLessThan(b);
      expect(pairId(a, b)).toBe(id);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: total - 1 }), (id) => {
        const [a, b] = pairOf(id);
        return a >= 0 && a < b && b < 1024 && pairId(a, b) === id;
      }),
    );
  });

  it('draws distinct ascending in-range pairs until exhausted exactly at N(N-1)/2, then fails at once', () => {
    fc.assert(
      fc.property(poolArb, fc.integer(), (pool, seed) => {
        const alloc = new McsAllocator(pool, seededRng(seed));
        const n = pool.catMax - pool.catMin + 1;
        const seen = new Set<string>();
        for (let i = 0; i < pairCount(n); i++) {
          const level = alloc.allocate();
          const [a, b] = cats(level);
          if (!(a < b && a >= pool.catMin && b <= pool.catMax)) return false;
          if (seen.has(level)) return false;
          seen.add(level);
        }
        expect(alloc.available).toBe(0);
        try {
          alloc.allocate();
          return false;
        } catch (err) {
          return err instanceof SvirtError && err.code === 'E_ALLOC_EXHAUSTED';
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a release makes exactly that pair available again; releasing twice is refused', () => {
    fc.assert(
      fc.property(poolArb, fc.integer(), fc.nat(), (pool, seed, pick) => {
        const alloc = new McsAllocator(pool, seededRng(seed));
        const ids: number[] = [];
        while (alloc.available > 0) ids.push(alloc.allocateId());
        const id = ids[pick % ids.length]!;
        expect(alloc.release(id)).toBe(true);
        expect(alloc.release(id)).toBe(false);
        expect(alloc.available).toBe(1);
        return alloc.allocateId() === id;
      }),
      { numRuns: 60 },
    );
  });

  it('never draws a reserved (static) pair, under any interleaving of operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const) }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('take' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(poolArb, fc.integer(), fc.array(op, { maxLength: 200 }), (pool, seed, ops) => {
        const alloc = new McsAllocator(pool, seededRng(seed));
        const held = new Set<number>();
        for (const o of ops) {
          if (o.kind === 'alloc') {
            if (alloc.available === 0) {
              expect(() => alloc.allocateId()).toThrow(/all \d+ category pairs are in use/);
              continue;
            }
            const id = alloc.allocateId();
            if (held.has(id)) return false; // a held (allocated or reserved) pair was handed out
            held.add(id);
          } else if (o.kind === 'take') {
            const id = o.pick % alloc.total;
            expect(alloc.take(id)).toBe(!held.has(id));
            held.add(id);
          } else if (held.size > 0) {
            const id = [...held][o.pick % held.size]!;
            expect(alloc.release(id)).toBe(true);
            held.delete(id);
          }
          if (alloc.used !== held.size) return false;
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });

  it('is uniform over the free pairs (chi-square over a small pool, fixed seed)', () => {
    const alloc = new McsAllocator({ sens: 's0', catMin: 0, catMax: 7 }, seededRng(42));
    const counts = new Array<number>(alloc.total).fill(0);
    const rounds = 28_000;
    for (let i = 0; i < rounds; i++) {
      const id = alloc.allocateId();
      counts[id]!++;
      alloc.release(id);
    }
    const expected = rounds / alloc.total;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 27 degrees of freedom: the 99.9th percentile is 55.5
    expect(chi2).toBeLessThan(55.5);
  });

  it('maps levels to pair ids only for two in-range categories at the pool sensitivity', () => {
    const alloc = new McsAllocator('s0-s0:c0.c1023');
    expect(alloc.total).toBe(523_776);
    expect(alloc.idOfLevel('s0:c0,c1')).toBe(0);
    expect(alloc.levelOf(alloc.idOfLevel('s0:c87,c520')!)).toBe('s0:c87,c520');
    expect(alloc.idOfLevel('s0:c5')).toBeUndefined();
    expect(alloc.idOfLevel('s1:c1,c2')).toBeUndefined();
    expect(alloc.idOfLevel('s0:c1,c2,c3')).toBeUndefined();
    const narrow = new McsAllocator('s0-s0:c512.c1023');
    expect(narrow.total).toBe(130_816);
    expect(narrow.idOfLevel('s0:c100,c600')).toBeUndefined();
    expect(narrow.levelOf(0)).toBe('s0:c512,c513');
  });
});

describe('pool ranges and levels', () => {
  it('reads the low sensitivity and one contiguous run; no category part means c0..c1023', () => {
    expect(parsePoolRange('s0-s0:c0.c1023')).toEqual({ sens: 's0', catMin: 0, catMax: 1023 });
    expect(parsePoolRange('s0')).toEqual({ sens: 's0', catMin: 0, catMax: 1023 });
    expect(parsePoolRange('s0-s0')).toEqual({ sens: 's0', catMin: 0, catMax: 1023 });
    expect(parsePoolRange('s2-s3:c10.c17')).toEqual({ sens: 's2', catMin: 10, catMax: 17 });
  });

  it('rejects non-contiguous, single, too small, reversed and out-of-range pools', () => {
    expect(() => parsePoolRange('s0-s0:c0.c10,c20.c30')).toThrow(/one contiguous run/);
    expect(() => parsePoolRange('s0-s0:c0,c1,c2,c3,c4,c5,c6,c7')).toThrow(/one contiguous run/);
    expect(() => parsePoolRange('s0:c5')).toThrow(/no category range available/);
    expect(() => parsePoolRange('s0-s0:c0.c6')).toThrow(/too small/);
    expect(() => parsePoolRange('s0-s0:c9.c3')).toThrow(/reversed/);
    expect(() => parsePoolRange('s0-s0:c0.c1024')).toThrow(/above c1023/);
    expect(() => parsePoolRange('x0:c0.c9')).toThrow(/sensitivity/);
    expect(() => new McsAllocator({ sens: 's0', catMin: 0, catMax: 6 })).toThrow(/need 8/);
  });

  it('parses levels with runs and lists, rejecting malformed ones', () => {
    expect(parseMcsLevel('s0:c3.c5,c1')).toEqual({ sens: 's0', cats: [1, 3, 4, 5] });
    expect(parseMcsLevel('s0')).toEqual({ sens: 's0', cats: [] });
    for (const bad of ['s0:', 's0:c1,', 's0:c1 ,c2', 'c1', 's0:c2000', 's0:c5.c1', 's0:d1']) {
      expect(() => parseMcsLevel(bad), bad).toThrow(SvirtError);
    }
  });
});
