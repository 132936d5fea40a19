import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CategorySet } from '../../src/context/categories.js';
import { contextIsValid, formatContext, formatLevel, parseContext } from '../../src/context/context.js';
import { ContextError } from '../../src/errors.js';
import { buildSymbolIndex, type ContextValue } from '../../src/policy/model.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

const model = svirtExampleBuilder().build();
const index = buildSymbolIndex(model);
const ROLE_SYSTEM = index.roles.get('system_r')!.value;
const USER_SYSTEM = index.users.get('system_u')!.value;
const TYPES = ['svirt_t', 'unconfined_t'].map((n) => index.types.get(n)!.value);

/** Either a ContextValue or a ContextError — anything else fails the property. */
function parseOrError(text: string): ContextValue | ContextError {
  try {
    return parseContext(model, index, text);
  } catch (e) {
    if (e instanceof ContextError) return e;
    throw e;
  }
}

const catIndex = fc.integer({ min: 0, max: 1023 });
const catSet = fc.array(catIndex, { maxLength: 40 }).map((xs) => CategorySet.of(...xs));
/** a valid context for system_u (range s0-s0:c0.c1023): low ⊆ high */
const validContext = fc.record({ type: fc.constantFrom(...TYPES), high: catSet, lowPick: fc.array(fc.boolean(), { maxLength: 40 }) }).map(
  ({ type, high, lowPick }): ContextValue => {
    const low = CategorySet.of(...high.toArray().filter((_, i) => lowPick[i] === true));
    return { user: USER_SYSTEM, role: ROLE_SYSTEM, type, range: { low: { sens: 1, cats: low }, high: { sens: 1, cats: high } } };
  },
);

/** strings made of context-ish tokens: near misses of valid contexts */
const token = fc.constantFrom('system_u', 'user_u', 'system_r', 'object_r', 'svirt_t', 'domain', 'svirt_image_t', 's0', 's1', 'c0', 'c1', 'c5', 'c1023', 'c1024', ':', ':', '-', ',', '.', '', ' ', '\0', 'x');
const tokenString = fc.array(token, { maxLength: 16 }).map((ts) => ts.join(''));

describe('context parser properties', () => {
  it('never crashes: any string gives a ContextValue or a ContextError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), tokenString), (s) => {
        const r = parseOrError(s);
        if (r instanceof ContextError) {
          expect(r.offset).toBeGreaterThanOrEqual(0);
          expect(r.offset).toBeLessThanOrEqual(s.length);
          expect(r.input).toBe(s);
        } else {
          // anything accepted passes the kernel validity check, prints, and re-parses to the same text
          expect(contextIsValid(model, r)).toBe(true);
          const text = formatContext(model, r);
          expect(formatContext(model, parseContext(model, index, text))).toBe(text);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('canonical round trip: format(parse(format(x))) == format(x), and parse(format(x)) == x', () => {
    fc.assert(
      fc.property(validContext, (ctx) => {
        const text = formatContext(model, ctx);
        const back = parseContext(model, index, text);
        expect(formatContext(model, back)).toBe(text);
        expect(back.user).toBe(ctx.user);
        expect(back.type).toBe(ctx.type);
        expect(back.range!.low.cats.equals(ctx.range!.low.cats)).toBe(true);
        expect(back.range!.high.cats.equals(ctx.range!.high.cats)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('parse of canonical text is the identity on the text', () => {
    fc.assert(
      fc.property(validContext, (ctx) => {
        const text = formatContext(model, ctx);
        expect(formatContext(model, parseContext(model, index, text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('out-of-order and duplicate category lists canonicalise to the set', () => {
    fc.assert(
      fc.property(fc.array(catIndex, { minLength: 1, maxLength: 30 }), (xs) => {
        const text = `system_u:system_r:svirt_t:s0:${xs.map((i) => `c${i}`).join(',')}`;
        const expected = formatLevel(model, { sens: 1, cats: CategorySet.of(...xs) });
        expect(formatContext(model, parseContext(model, index, text))).toBe(`system_u:system_r:svirt_t:${expected}`);
      }),
      { numRuns: 500 },
    );
  });

  it('mixed `cA.cB` ranges and single categories set exactly their union', () => {
    const item = fc.oneof(
      catIndex.map((i): [number, number] => [i, i]),
      fc.tuple(fc.integer({ min: 0, max: 1022 }), fc.integer({ min: 1, max: 60 })).map(([a, n]): [number, number] => [a, Math.min(1023, a + n)]),
    );
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 8 }), (items) => {
        const text = `system_u:system_r:svirt_t:s0:${items.map(([a, b]) => (a === b ? `c${a}` : `c${a}.c${b}`)).join(',')}`;
        const expected = new CategorySet();
        for (const [a, b] of items) expected.addRange(a, b);
        const got = parseContext(model, index, text);
        expect(got.range!.low.cats.equals(expected)).toBe(true);
        // canonical text never contains a 2-run written with '.' nor a ≥3-run written with ','
        const canonical = formatContext(model, got);
        for (const m of canonical.matchAll(/c(\d+)\.c(\d+)/g)) expect(Number(m[2]) - Number(m[1])).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: 500 },
    );
  });
});
