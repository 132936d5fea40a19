import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PREAMBLE, avtabNames, compile, diagnosticsOf } from './text-helpers.js';
import { COND_AND, COND_BOOL, COND_EQ, COND_NEQ, COND_NOT, COND_OR, COND_XOR, type PolicyModel } from '../../src/policy/model.js';

const BOOLS = 'type a_t;\nbool a true;\nbool b false;\nbool c false;\nbool d true;\nbool e false;\nbool f true;\n';
const OPS: Record<number, string> = { [COND_NOT]: '!', [COND_OR]: '||', [COND_AND]: '&&', [COND_XOR]: '^', [COND_EQ]: '==', [COND_NEQ]: '!=' };

function postfix(m: PolicyModel, i = 0): string {
  return m.conds[i]!.expr.map((t) => (t.op === COND_BOOL ? m.bools[t.bool - 1]!.name : OPS[t.op])).join(' ');
}

function cond(expr: string, body = 'allow a_t a_t:file read;'): PolicyModel {
  return compile(`${PREAMBLE}${BOOLS}if (${expr}) { ${body} }\n`);
}

describe('conditional expressions (checkpolicy precedence: || < ^ < && < ! < == !=)', () => {
  it('builds postfix with the grammar precedence', () => {
    expect(postfix(cond('a && !b || c ^ d == e != f'))).toBe('a b ! && c d e == f != ^ ||');
    expect(postfix(cond('a || b && c'))).toBe('a b c && ||');
    expect(postfix(cond('a ^ b || c'))).toBe('a b ^ c ||');
    expect(postfix(cond('(a || b) && c'))).toBe('a b || c &&');
    expect(postfix(cond('!a && b'))).toBe('a ! b &&');
    expect(postfix(cond('a == b && c'))).toBe('a b == c &&');
  });

  it('drops a trailing NOT by swapping the branches (libsepol cond_normalize_expr)', () => {
    const m = compile(`${PREAMBLE}${BOOLS}if (! a == b) { allow a_t a_t:file read; } else { allow a_t a_t:file write; }\n`);
    // ! binds looser than == : !(a == b)
    expect(postfix(m)).toBe('a b ==');
    expect(avtabNames(m, m.conds[0]!.trueList)).toEqual(['1 a_t a_t:file {write}']);
    expect(avtabNames(m, m.conds[0]!.falseList)).toEqual(['1 a_t a_t:file {read}']);
  });

  it('merges blocks with the same expression into one node', () => {
    const m = compile(`${PREAMBLE}${BOOLS}if (a) { allow a_t a_t:file read; }\nif (a) { allow a_t a_t:file write; }\nif (!a) { allow a_t a_t:file getattr; }\n`);
    expect(m.conds.length).toBe(1);
    expect(avtabNames(m, m.conds[0]!.trueList)).toEqual(['1 a_t a_t:file {read write}']);
    expect(avtabNames(m, m.conds[0]!.falseList)).toEqual(['1 a_t a_t:file {getattr}']);
  });

  it('rejects expressions deeper than COND_MAX_DEPTH (10) and unknown booleans', () => {
    const deep = 'a == (b == (c == (d == (e == (f == (a == (b == (c == (d == e)))))))))';
    expect(diagnosticsOf(`${PREAMBLE}${BOOLS}if (${deep}) { allow a_t a_t:file read; }\n`)[0]).toMatch(/nested more than 10 deep/);
    expect(diagnosticsOf(`${PREAMBLE}${BOOLS}if (zz) { allow a_t a_t:file read; }\n`)[0]).toMatch(/test.conf:\d+:5: error: unknown boolean 'zz'/);
  });

  it('a fully parenthesised print of a random tree parses back to the same postfix (property)', () => {
    type Tree = { bool: string } | { op: number; l: Tree; r?: Tree };
    const leaf = fc.constantFrom('a', 'b', 'c').map((bool): Tree => ({ bool }));
    const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
      t: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        tie('t').map((l): Tree => ({ op: COND_NOT, l })),
        fc.tuple(fc.constantFrom(COND_AND, COND_OR, COND_XOR, COND_EQ, COND_NEQ), tie('t'), tie('t')).map(([op, l, r]): Tree => ({ op, l, r })),
      ),
    })).t;
    const print = (t: Tree): string => ('bool' in t ? t.bool : t.r ? `(${print(t.l)} ${OPS[t.op]} ${print(t.r)})` : `(! ${print(t.l)})`);
    const post = (t: Tree): string[] => ('bool' in t ? [t.bool] : t.r ? [...post(t.l), ...post(t.r), OPS[t.op]!] : [...post(t.l), '!']);
    const depth = (t: Tree): number => ('bool' in t ? 1 : t.r ? Math.max(depth(t.l), depth(t.r) + 1) : depth(t.l));
    fc.assert(
      fc.property(tree, (t) => {
        fc.pre(depth(t) <= 10);
        const want = post(t);
        // a trailing NOT is normalised away
        if (want[want.length - 1] === '!' && want.length > 1) want.pop();
        expect(postfix(cond(print(t)))).toBe(want.join(' '));
      }),
      { numRuns: 200 },
    );
  });
});
