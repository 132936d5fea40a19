/**
 * Properties (fast-check, seeded): default_range glblub as level algebra, the batch line splitter,
 * and the batch protocol on arbitrary input lines (one answer per query line, result last, never a
 * throw, never an answer for garbage).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CategorySet } from '../../src/context/categories.js';
import { levelDom } from '../../src/context/mls.js';
import { compilePolicyText } from '../../src/policy/compiler.js';
import type { MlsLevel, MlsRange } from '../../src/policy/model.js';
import { glblub } from '../../src/security/compute-sid.js';
import { answerLabelBatch, splitQueryLine } from '../../src/security/label-queries.js';
import { createSecurityServer } from '../../src/security/server.js';
import { LABEL_POLICY } from './compute-fixture.js';

const SEED = 1107;

const level = fc.record({ sens: fc.integer({ min: 1, max: 4 }), cats: fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { maxLength: 8 }) }).map(
  ({ sens, cats }): MlsLevel => ({ sens, cats: CategorySet.of(...cats) }),
);
const range = fc.tuple(level, level).map(([a, b]): MlsRange => (levelDom(b, a) ? { low: a, high: b } : { low: a, high: { sens: Math.max(a.sens, b.sens), cats: a.cats.union(b.cats) } }));

describe('glblub', () => {
  it('is undefined exactly when the sensitivity intervals are disjoint, else bounded by both ranges', () => {
    fc.assert(
      fc.property(range, range, (a, b) => {
        const g = glblub(a, b);
        const disjoint = a.high.sens < b.low.sens || b.high.sens < a.low.sens;
        if (disjoint) return g === undefined;
        if (!g) return false;
        return (
          g.low.sens === Math.max(a.low.sens, b.low.sens) &&
          g.high.sens === Math.min(a.high.sens, b.high.sens) &&
          a.low.cats.contains(g.low.cats) &&
          b.low.cats.contains(g.low.cats) &&
          g.low.cats.equals(a.low.cats.intersect(b.low.cats)) &&
          g.high.cats.equals(a.high.cats.intersect(b.high.cats))
        );
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('is symmetric', () => {
    fc.assert(
      fc.property(range, range, (a, b) => {
        const x = glblub(a, b);
        const y = glblub(b, a);
        if (!x || !y) return x === y;
        return x.low.sens === y.low.sens && x.high.sens === y.high.sens && x.low.cats.equals(y.low.cats) && x.high.cats.equals(y.high.cats);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('batch lines', () => {
  const field = fc.stringMatching(/^[a-z_:.,0-9-]{1,12}$/);
  it('splitQueryLine returns the blank-separated fields before any #', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 6 }), fc.constantFrom(' ', '\t', '  ', ' \t '), fc.option(fc.string({ maxLength: 10 })), (fields, sep, comment) => {
        const line = `${sep}${fields.join(sep)}${sep}${comment === null ? '' : `#${comment}`}`;
        const got = splitQueryLine(line);
        return fields.length === 0 ? got === undefined : JSON.stringify(got) === JSON.stringify(fields);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('every query line gets one answer ending in a context, allow/deny or ERR:, whatever the input', () => {
    const server = createSecurityServer(compilePolicyText(LABEL_POLICY, 'labels.conf'));
    const good = ['system_u:system_r:proc_t:s0', 'system_u:object_r:tmp_t:s0', 'file', 'dir', 'process', 'resolv.conf'];
    const token = fc.oneof(fc.constantFrom(...good), fc.string({ maxLength: 20 }).map((s) => s.replace(/[\s#]/g, '') || 'x'));
    fc.assert(
      fc.property(fc.array(fc.array(token, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), fc.constantFrom('create', 'member', 'relabel', 'validatetrans'), (rows, kind) => {
        const lines = answerLabelBatch(server, kind as 'create', rows.map((r) => r.join(' ')).join('\n'));
        expect(lines).toHaveLength(rows.length);
        lines.forEach((l, i) => {
          const f = l.split('\t');
          expect(f.slice(0, -1)).toEqual(rows[i]);
          const result = f.at(-1)!;
          if (kind === 'validatetrans') expect(result).toMatch(/^(allow|deny|ERR:(MALFORMED|BADOLDCON|BADNEWCON|BADTASKCON|BADCLASS))$/);
          else expect(result).toMatch(/^(ERR:(MALFORMED|BADSCON|BADTCON|BADCLASS|INVALID)|[a-z_]+:[a-z_]+:[a-z_]+:s\d.*)$/);
        });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
