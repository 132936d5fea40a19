import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseContext } from '../../src/context/context.js';
import { condResults, condStates, defaultBoolStates, evaluateCondExpr, referenceComputeAv } from '../../src/security/reference.js';
import { buildSymbolIndex, COND_BOOL, type CondExprToken } from '../../src/policy/model.js';
import { ModelBuilder, rule, svirtExampleBuilder } from '../support/model-builder.js';

describe('conditional rules', () => {
  const model = svirtExampleBuilder()
    .bool('guest_nfs_deny', true)
    .cond(['guest_nfs_deny'], [rule.dontaudit('svirt_t', 'nfs_t', 'file', ['write'])], [rule.allow('svirt_t', 'nfs_t', 'file', ['write'])])
    .build();
  const index = buildSymbolIndex(model);
  const ctx = (t: string) => parseContext(model, index, t);
  const file = index.classes.get('file')!;
  const bit = (p: string) => (1 << file.perms.indexOf(p)) >>> 0;
  const guest = ctx('system_u:system_r:svirt_t:s0:c1,c2');
  const nfs = ctx('system_u:object_r:nfs_t:s0');

  it('a true-list rule applies only while its boolean is on', () => {
    expect(referenceComputeAv(model, guest, nfs, file.value, defaultBoolStates(model)).allowed & bit('read')).toBe(0);
    const on = defaultBoolStates(model, { virt_use_nfs: true });
    expect(referenceComputeAv(model, guest, nfs, file.value, on).allowed & bit('read')).toBe(bit('read'));
  });

  it('false-list entries apply while the expression is false; dontaudit in a true list', () => {
    const d1 = referenceComputeAv(model, guest, nfs, file.value, defaultBoolStates(model));
    expect(d1.auditdeny & bit('write')).toBe(0);
    expect(d1.allowed & bit('write')).toBe(0);
    const d2 = referenceComputeAv(model, guest, nfs, file.value, defaultBoolStates(model, { guest_nfs_deny: false }));
    expect(d2.allowed & bit('write')).toBe(bit('write'));
    expect(d2.auditdeny).toBe(0xffffffff);
  });

  it('missing boolStates entries fall back to the policy defaults', () => {
    expect(condStates(model, [])).toEqual([false, true]);
    expect(condStates(model, [true, false])).toEqual([true, false]);
  });
});

describe('evaluateCondExpr (S cond_evaluate_expr)', () => {
  const b = new ModelBuilder().cls('c', ['p']);
  for (let i = 0; i < 12; i++) b.bool(`b${i}`, i % 2 === 0);
  const model = b.build();
  type BinOp = (x: boolean, y: boolean) => boolean;
  const ops = {
    or: (x, y) => x || y,
    and: (x, y) => x && y,
    xor: (x, y) => x !== y,
    eq: (x, y) => x === y,
    neq: (x, y) => x !== y,
  } satisfies Record<string, BinOp>;
  const tok = (name: string): CondExprToken => {
    const op = { not: 2, or: 3, and: 4, xor: 5, eq: 6, neq: 7 }[name];
    return op ? { op, bool: 0 } : { op: COND_BOOL, bool: Number(name.slice(1)) + 1 };
  };

  it('binary operators and not have their truth tables', () => {
    for (const [name, f] of Object.entries(ops)) {
      for (const x of [false, true]) {
        for (const y of [false, true]) {
          expect(evaluateCondExpr(model, [tok('b0'), tok('b1'), tok(name)], [x, y])).toBe(f(x, y) ? 1 : 0);
          expect(evaluateCondExpr(model, [tok('b0'), tok('b1'), tok(name), tok('not')], [x, y])).toBe(f(x, y) ? 0 : 1);
        }
      }
    }
  });

  it('depth 10 is fine, an 11th push is malformed; malformed expressions give -1', () => {
    const ten = Array.from({ length: 10 }, (_, i) => tok(`b${i}`));
    const ors = Array.from({ length: 9 }, () => tok('or'));
    expect(evaluateCondExpr(model, [...ten, ...ors], [])).toBe(1);
    expect(evaluateCondExpr(model, [...ten, tok('b10'), ...ors, tok('or')], [])).toBe(-1);
    expect(evaluateCondExpr(model, [], [])).toBe(-1);
    expect(evaluateCondExpr(model, [tok('not')], [])).toBe(-1);
    expect(evaluateCondExpr(model, [tok('b0'), tok('and')], [])).toBe(-1);
    expect(evaluateCondExpr(model, [tok('b0'), tok('b1')], [])).toBe(-1);
    expect(evaluateCondExpr(model, [{ op: COND_BOOL, bool: 99 }], [])).toBe(-1);
    expect(evaluateCondExpr(model, [tok('b0'), { op: 42, bool: 0 }], [])).toBe(-1);
  });

  it('a malformed expression disables both branches', () => {
    const m = svirtExampleBuilder()
      .cond([{ op: 2, bool: 0 }], [rule.allow('svirt_t', 'nfs_t', 'file', ['write'])], [rule.allow('svirt_t', 'nfs_t', 'file', ['append'])])
      .build();
    const ix = buildSymbolIndex(m);
    expect(Array.from(condResults(m, []))).toEqual([0, -1]);
    expect(condStates(m, [])).toEqual([false, false]);
    const d = referenceComputeAv(m, parseContext(m, ix, 'system_u:system_r:svirt_t:s0'), parseContext(m, ix, 'system_u:object_r:nfs_t:s0'), ix.classes.get('file')!.value, []);
    expect(d.allowed).toBe(0);
  });

  it('random well-formed expressions agree with a recursive evaluator', () => {
    type E = { k: 'b'; i: number } | { k: 'not'; x: E } | { k: keyof typeof ops; l: E; r: E };
    const arb: fc.Arbitrary<E> = fc.letrec<{ e: E }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small' },
        fc.integer({ min: 0, max: 11 }).map((i): E => ({ k: 'b', i })),
        tie('e').map((x): E => ({ k: 'not', x })),
        fc.record({ k: fc.constantFrom('or' as const, 'and' as const, 'xor' as const, 'eq' as const, 'neq' as const), l: tie('e'), r: tie('e') }),
      ),
    })).e;
    const ev = (e: E, st: boolean[]): boolean => (e.k === 'b' ? st[e.i]! : e.k === 'not' ? !ev(e.x, st) : ops[e.k](ev(e.l, st), ev(e.r, st)));
    const depth = (e: E): number => (e.k === 'b' ? 1 : e.k === 'not' ? depth(e.x) : Math.max(depth(e.l), 1 + depth(e.r)));
    const post = (e: E): CondExprToken[] => (e.k === 'b' ? [tok(`b${e.i}`)] : e.k === 'not' ? [...post(e.x), tok('not')] : [...post(e.l), ...post(e.r), tok(e.k)]);
    fc.assert(
      fc.property(arb, fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (e, st) => {
        const expected = depth(e) <= 10 ? (ev(e, st) ? 1 : 0) : -1;
        expect(evaluateCondExpr(model, post(e), st)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
