import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CategorySet } from '../../src/context/categories.js';
import { levelDom, levelEq, levelIncomp, rangeContains } from '../../src/context/mls.js';
import type { MlsLevel } from '../../src/policy/model.js';

const lv = (sens: number, ...cats: number[]): MlsLevel => ({ sens, cats: CategorySet.of(...cats) });

describe('level relations (mls_types.h)', () => {
  it('dom: higher-or-equal sensitivity and category superset', () => {
    expect(levelDom(lv(1, 1, 2), lv(1, 1))).toBe(true);
    expect(levelDom(lv(1, 1, 2), lv(1, 3, 4))).toBe(false);
    expect(levelDom(lv(2), lv(1))).toBe(true);
    expect(levelDom(lv(1, 1), lv(2))).toBe(false);
    expect(levelDom(lv(1, 31, 63, 1023), lv(1, 31, 1023))).toBe(true); // sign bit of a word
    expect(levelIncomp(lv(1, 1), lv(1, 2))).toBe(true);
    expect(levelEq(lv(1, 5), lv(1, 5))).toBe(true);
    expect(levelEq(lv(1, 5), lv(2, 5))).toBe(false);
  });

  it('range_contains: inner.low dom outer.low and outer.high dom inner.high', () => {
    const outer = { low: lv(1), high: lv(1, ...Array.from({ length: 1024 }, (_, i) => i)) };
    expect(rangeContains(outer, { low: lv(1, 3), high: lv(1, 3, 4) })).toBe(true);
    expect(rangeContains({ low: lv(1), high: lv(1, 1, 2) }, { low: lv(1), high: lv(1, 1, 3) })).toBe(false);
  });

  const level = fc.record({ sens: fc.integer({ min: 1, max: 3 }), cats: fc.array(fc.integer({ min: 0, max: 1023 }), { maxLength: 12 }) }).map(
    (l): MlsLevel => ({ sens: l.sens, cats: CategorySet.of(...l.cats) }),
  );
  /** the definition over plain arrays, independent of CategorySet.contains */
  const naiveDom = (a: MlsLevel, b: MlsLevel): boolean => a.sens >= b.sens && b.cats.toArray().every((c) => a.cats.toArray().includes(c));

  it('agrees with the naive definition, and is a partial order', () => {
    fc.assert(
      fc.property(level, level, level, (a, b, c) => {
        expect(levelDom(a, b)).toBe(naiveDom(a, b));
        expect(levelDom(a, a)).toBe(true);
        if (levelDom(a, b) && levelDom(b, a)) expect(levelEq(a, b)).toBe(true);
        if (levelDom(a, b) && levelDom(b, c)) expect(levelDom(a, c)).toBe(true);
        expect(levelIncomp(a, b)).toBe(!naiveDom(a, b) && !naiveDom(b, a));
        const union = { sens: Math.max(a.sens, b.sens), cats: a.cats.union(b.cats) };
        expect(levelDom(union, a) && levelDom(union, b)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
