/** The Wasm v128 category-set and level relations agree with CategorySet / src/context/mls.ts. */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { CategorySet } from '../../src/context/categories.js';
import { levelDom, levelEq, levelIncomp, rangeContains } from '../../src/context/mls.js';
import { WasmEngine } from '../../src/wasm/engine.js';
import { buildPolicyImage } from '../../src/policy/image.js';
import { SidTable } from '../../src/security/sidtab.js';
import * as L from '../../src/wasm/layout.js';
import type { MlsLevel } from '../../src/policy/model.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

const model = svirtExampleBuilder().build();
const engine = WasmEngine.create(buildPolicyImage(model, { seqno: 1 }), new SidTable(model).exportBytes());
const core = engine.core;
const base = core.scratchAddr() >>> 0;
const slot = (i: number): number => base + i * L.LEVEL_SIZE; // 4 levels fit in the 1024-byte scratch area

function put(i: number, level: MlsLevel): number {
  const dv = new DataView(core.memory.buffer);
  const at = slot(i);
  dv.setUint32(at + L.LEVEL_SENS, level.sens, true);
  level.cats.words.forEach((w, k) => dv.setUint32(at + L.LEVEL_CATS + k * 4, w, true));
  return at;
}

// sets that exercise every 128-bit lane: sparse bits anywhere in 0..1023, ranges, and near-equal pairs
const catSet = fc.oneof(
  fc.uniqueArray(fc.integer({ min: 0, max: 1023 }), { maxLength: 12 }).map((xs) => CategorySet.of(...xs)),
  fc.tuple(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 0, max: 300 })).map(([a, n]) => CategorySet.range(a, Math.min(1023, a + n))),
);
const level = fc.record({ sens: fc.integer({ min: 1, max: 4 }), cats: catSet });
/** a pair where b is often derived from a (subset / superset / equal), so every relation occurs */
const levelPair = fc.tuple(level, level, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1023 })).map(([a, b, mode, bit]) => {
  if (mode === 0) return [a, b] as const;
  if (mode === 1) return [a, { sens: a.sens, cats: a.cats.clone() }] as const;
  if (mode === 2) return [a, { sens: Math.max(1, a.sens - 1), cats: a.cats.clone().delete(bit) }] as const;
  return [a, { sens: a.sens, cats: a.cats.clone().add(bit) }] as const;
});

test('catsContains / catsEqual == CategorySet.contains / equals', () => {
  fc.assert(
    fc.property(levelPair, ([a, b]) => {
      const pa = put(0, a) + L.LEVEL_CATS;
      const pb = put(1, b) + L.LEVEL_CATS;
      expect(core.testCatsContains(pa, pb) === 1).toBe(a.cats.contains(b.cats));
      expect(core.testCatsContains(pb, pa) === 1).toBe(b.cats.contains(a.cats));
      expect(core.testCatsEqual(pa, pb) === 1).toBe(a.cats.equals(b.cats));
    }),
    { numRuns: 2000 },
  );
});

test('level dom / eq / incomp == src/context/mls.ts', () => {
  fc.assert(
    fc.property(levelPair, ([a, b]) => {
      const pa = put(0, a);
      const pb = put(1, b);
      expect(core.testLevel(0, pa, pb) === 1).toBe(levelDom(a, b));
      expect(core.testLevel(0, pb, pa) === 1).toBe(levelDom(b, a));
      expect(core.testLevel(1, pa, pb) === 1).toBe(levelEq(a, b));
      expect(core.testLevel(2, pa, pb) === 1).toBe(levelIncomp(a, b));
    }),
    { numRuns: 2000 },
  );
});

test('range contains == src/context/mls.ts', () => {
  fc.assert(
    fc.property(levelPair, levelPair, ([lo1, hi1], [lo2, hi2]) => {
      const r1 = { low: lo1, high: hi1 };
      const r2 = { low: lo2, high: hi2 };
      const got = core.testRangeContains(put(0, lo1), put(1, hi1), put(2, lo2), put(3, hi2)) === 1;
      expect(got).toBe(rangeContains(r1, r2));
    }),
    { numRuns: 2000 },
  );
});
