import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CategorySet, formatCategories } from '../../src/context/categories.js';
import { parseSetrans } from '../../src/context/setrans.js';

const level = (cats: number[]): string => {
  const set = CategorySet.of(...cats);
  return set.isEmpty() ? 's0' : `s0:${formatCategories(set, (i) => `c${i}`)}`;
};

// a random setrans file: distinct category sets, each with a distinct name (and maybe an alias)
const fileArb = fc
  .uniqueArray(fc.uniqueArray(fc.integer({ min: 0, max: 1023 }), { minLength: 1, maxLength: 4 }), {
    minLength: 1,
    maxLength: 12,
    selector: (cats) => level(cats),
  })
  .map((sets) => sets.map((cats, i) => ({ raw: level(cats), name: `Name${i}`, alias: i % 3 === 0 ? `Alias${i}` : undefined })));

describe('setrans round trip (property)', () => {
  it('raw → human → raw is the identity for mapped levels, and every alias maps back', () => {
    fc.assert(
      fc.property(fileArb, (entries) => {
        const text = entries.map((e) => `${e.raw}=${e.name}\n${e.alias ? `${e.raw}=${e.alias}\n` : ''}`).join('');
        const t = parseSetrans(text);
        for (const e of entries) {
          expect(t.toHuman(e.raw)).toBe(e.name);
          expect(t.toRaw(t.toHuman(e.raw))).toBe(e.raw);
          if (e.alias) expect(t.toRaw(e.alias)).toBe(e.raw);
          expect(t.toRaw(`system_u:object_r:svirt_image_t:${e.name}`)).toBe(`system_u:object_r:svirt_image_t:${e.raw}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('unmapped levels pass through unchanged, alone and as range halves', () => {
    fc.assert(
      fc.property(fileArb, fc.uniqueArray(fc.integer({ min: 0, max: 1023 }), { minLength: 1, maxLength: 5 }), (entries, cats) => {
        const raw = level(cats);
        fc.pre(!entries.some((e) => e.raw === raw));
        const t = parseSetrans(entries.map((e) => `${e.raw}=${e.name}\n`).join(''));
        expect(t.toHuman(raw)).toBe(raw);
        const first = entries[0]!;
        expect(t.toHuman(`${first.raw}-${raw}`)).toBe(`${first.name}-${raw}`);
        expect(t.toRaw(`${first.name}-${raw}`)).toBe(`${first.raw}-${raw}`);
      }),
      { numRuns: 200 },
    );
  });
});
