import { describe, expect, it } from 'vitest';
import { compile, diagnosticsOf } from './text-helpers.js';
import {
  CEXPR_AND, CEXPR_ATTR, CEXPR_DOM, CEXPR_DOMBY, CEXPR_EQ, CEXPR_H1H2, CEXPR_INCOMP, CEXPR_L1H1, CEXPR_L1H2, CEXPR_L1L2,
  CEXPR_L2H2, CEXPR_H1L2, CEXPR_NAMES, CEXPR_NEQ, CEXPR_NOT, CEXPR_OR, CEXPR_ROLE, CEXPR_TARGET, CEXPR_TYPE, CEXPR_USER,
  CEXPR_XTARGET, type PolicyModel,
} from '../../src/policy/model.js';

const BASE = `class process
class file
sid kernel
class process { transition signal }
class file { read write }
sensitivity s0;
sensitivity s1;
dominance { s0 s1 }
category c0;
level s0:c0;
level s1:c0;
attribute dom;
type a_t, dom;
type b_t, dom;
type c_t;
role r;
role r types dom;
user u roles r level s0 range s0 - s1:c0;
user v roles r level s0 range s0;
`;

function constraint(expr: string, kind = 'mlsconstrain'): PolicyModel {
  return compile(`${BASE}${kind} process { transition } ${expr};\n`);
}

function nodes(m: PolicyModel): Array<[number, number, number, number[]?]> {
  return m.classes[0]!.constraints[0]!.expr.map((n) => (n.names ? [n.exprType, n.attr, n.op, n.names] : [n.exprType, n.attr, n.op]));
}

describe('constraint expressions → postfix CEXPR nodes (checkpolicy define_cexpr)', () => {
  it('attribute comparisons', () => {
    expect(nodes(constraint('(u1 == u2)'))).toEqual([[CEXPR_ATTR, CEXPR_USER, CEXPR_EQ]]);
    expect(nodes(constraint('(r1 dom r2)'))).toEqual([[CEXPR_ATTR, CEXPR_ROLE, CEXPR_DOM]]);
    expect(nodes(constraint('(t1 != t2)'))).toEqual([[CEXPR_ATTR, CEXPR_TYPE, CEXPR_NEQ]]);
    expect(nodes(constraint('(l1 dom h2)'))).toEqual([[CEXPR_ATTR, CEXPR_L1H2, CEXPR_DOM]]);
    expect(nodes(constraint('(l1 eq l2)'))).toEqual([[CEXPR_ATTR, CEXPR_L1L2, CEXPR_EQ]]);
    expect(nodes(constraint('(h1 domby l2)'))).toEqual([[CEXPR_ATTR, CEXPR_H1L2, CEXPR_DOMBY]]);
    expect(nodes(constraint('(h1 incomp h2)'))).toEqual([[CEXPR_ATTR, CEXPR_H1H2, CEXPR_INCOMP]]);
    expect(nodes(constraint('(l1 dom h1)'))).toEqual([[CEXPR_ATTR, CEXPR_L1H1, CEXPR_DOM]]);
    expect(nodes(constraint('(l2 eq h2)'))).toEqual([[CEXPR_ATTR, CEXPR_L2H2, CEXPR_EQ]]);
  });

  it('name comparisons: t2 adds TARGET, t3 XTARGET; attributes expand to primary types', () => {
    expect(nodes(constraint('(t1 == dom)'))).toEqual([[CEXPR_NAMES, CEXPR_TYPE, CEXPR_EQ, [2, 3]]]);
    expect(nodes(constraint('(t2 != { c_t a_t })'))).toEqual([[CEXPR_NAMES, CEXPR_TYPE | CEXPR_TARGET, CEXPR_NEQ, [2, 4]]]);
    expect(nodes(constraintVt())).toEqual([
      [CEXPR_NAMES, CEXPR_TYPE | CEXPR_XTARGET, CEXPR_EQ, [4]],
    ]);
    expect(nodes(constraint('(u2 == { v u })'))).toEqual([[CEXPR_NAMES, CEXPR_USER | CEXPR_TARGET, CEXPR_EQ, [1, 2]]]);
    expect(nodes(constraint('(r1 == r)'))).toEqual([[CEXPR_NAMES, CEXPR_ROLE, CEXPR_EQ, [2]]]);
    const m = constraint('(t1 == dom)');
    expect(m.classes[0]!.constraints[0]!.expr[0]!.written).toEqual(['dom']);
  });

  it('boolean structure: or < and < not, postfix', () => {
    expect(nodes(constraint('(u1 == u2 or r1 == r2 and t1 == t2)')).map((n) => n[0])).toEqual([
      CEXPR_ATTR, CEXPR_ATTR, CEXPR_ATTR, CEXPR_AND, CEXPR_OR,
    ]);
    expect(nodes(constraint('(not u1 == u2 and t1 == t2)')).map((n) => n[0])).toEqual([CEXPR_ATTR, CEXPR_NOT, CEXPR_ATTR, CEXPR_AND]);
    expect(nodes(constraint('(not (u1 == u2 and t1 == t2))')).map((n) => n[0])).toEqual([CEXPR_ATTR, CEXPR_ATTR, CEXPR_AND, CEXPR_NOT]);
  });

  it('computes the permission mask and the mls flag', () => {
    const m = compile(`${BASE}constrain process { signal } (u1 == u2);\nmlsconstrain process { transition signal } (h1 dom h2);\n`);
    expect(m.classes[0]!.constraints.map((c) => [c.perms, c.mls])).toEqual([[2, false], [3, true]]);
  });

  it('rejects depth above CEXPR_MAX_DEPTH, bad operand pairs and mls ops in non-MLS policies', () => {
    const deep = '(u1 == u2 and (u1 == u2 and (u1 == u2 and (u1 == u2 and (u1 == u2 and (u1 == u2))))))';
    expect(diagnosticsOf(`${BASE}constrain process { signal } ${deep};\n`)[0]).toMatch(/too deep/);
    expect(diagnosticsOf(`${BASE}constrain process { signal } (u1 dom u2);\n`)[0]).toMatch(/expected '==' or '!='/);
    expect(diagnosticsOf(`${BASE}constrain process { signal } (l1 dom l1);\n`)[0]).toMatch(/invalid level comparison/);
    expect(diagnosticsOf(`${BASE}constrain process { bogus } (u1 == u2);\n`)[0]).toMatch(/permission 'bogus' is not defined for class 'process'/);
    const nonMls = 'class process\nsid kernel\nclass process { signal }\ntype a_t;\n';
    expect(diagnosticsOf(`${nonMls}constrain process { signal } (l1 dom h2);\n`)[0]).toMatch(/need an MLS policy/);
  });
});

function constraintVt(): PolicyModel {
  const m = compile(`${BASE}mlsvalidatetrans process (t3 == c_t);\n`);
  // present validatetrans as constraints[0] for nodes()
  return { ...m, classes: [{ ...m.classes[0]!, constraints: m.classes[0]!.validatetrans }, ...m.classes.slice(1)] };
}
