import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseContext } from '../../src/context/context.js';
import { defaultBoolStates, evalConstraintExpr, referenceComputeAv } from '../../src/security/reference.js';
import { REASON_CONS, REASON_TE } from '../../src/types.js';
import {
  buildSymbolIndex,
  CEXPR_ATTR,
  CEXPR_DOM,
  CEXPR_DOMBY,
  CEXPR_EQ,
  CEXPR_H1H2,
  CEXPR_H1L2,
  CEXPR_INCOMP,
  CEXPR_L1H1,
  CEXPR_L1H2,
  CEXPR_L1L2,
  CEXPR_L2H2,
  CEXPR_NAMES,
  CEXPR_NEQ,
  CEXPR_ROLE,
  CEXPR_TARGET,
  CEXPR_TYPE,
  CEXPR_USER,
  CEXPR_XTARGET,
  type ConstraintExprNode,
} from '../../src/policy/model.js';
import { cx, svirtExampleBuilder } from '../support/model-builder.js';

const model = svirtExampleBuilder()
  .role('admin_r', ['domain'], { dominates: ['system_r'] })
  .user('admin_u', ['admin_r', 'system_r'], 's0-s0:c0.c1023')
  .build();
const index = buildSymbolIndex(model);
const ctx = (t: string) => parseContext(model, index, t);
const file = index.classes.get('file')!;
const bit = (p: string) => (1 << file.perms.indexOf(p)) >>> 0;
const bools = defaultBoolStates(model);

describe('the MCS constraint (worked example)', () => {
  const guest = ctx('system_u:system_r:svirt_t:s0:c1,c2');
  it('denies svirt_t:s0:c1,c2 reading svirt_image_t:s0:c3,c4; getattr survives', () => {
    const d = referenceComputeAv(model, guest, ctx('system_u:object_r:svirt_image_t:s0:c3,c4'), file.value, bools, bit('open') | bit('read') | bit('getattr'));
    expect(d.allowed & bit('read')).toBe(0);
    expect(d.allowed & bit('open')).toBe(0);
    expect(d.allowed & bit('getattr')).toBe(bit('getattr'));
    expect(d.reason).toBe(REASON_CONS);
  });
  it('allows its own image, and an unconstrained domain any image', () => {
    expect(referenceComputeAv(model, guest, ctx('system_u:object_r:svirt_image_t:s0:c1,c2'), file.value, bools, bit('read')).reason).toBe(0);
    const d = referenceComputeAv(model, ctx('system_u:system_r:unconfined_t:s0-s0:c0.c1023'), ctx('system_u:object_r:svirt_image_t:s0:c3,c4'), file.value, bools, bit('read'));
    expect(d.allowed & bit('read')).toBe(bit('read'));
  });
  it('TE and CONS accumulate when both remove requested bits', () => {
    const d = referenceComputeAv(model, guest, ctx('system_u:object_r:svirt_image_t:s0:c3'), file.value, bools, bit('read') | bit('unlink'));
    expect(d.reason).toBe(REASON_TE | REASON_CONS);
  });
});

// ───── single leaves: every attr code and op ─────
const s = ctx('system_u:system_r:svirt_t:s0-s0:c1,c2');
const t = ctx('admin_u:admin_r:unconfined_t:s0:c1-s0:c1,c2,c3');
const leaf = (attr: number, op: number): ConstraintExprNode[] => [{ exprType: CEXPR_ATTR, attr, op }];
const names = (attr: number, op: number, vals: number[]): ConstraintExprNode[] => [{ exprType: CEXPR_NAMES, attr, op, names: vals }];
const T = (n: string) => index.types.get(n)!.value;

describe('constraint leaves (K constraint_expr_eval)', () => {
  it.each<[string, ConstraintExprNode[], boolean]>([
    ['u1 == u2', leaf(CEXPR_USER, CEXPR_EQ), false],
    ['u1 != u2', leaf(CEXPR_USER, CEXPR_NEQ), true],
    ['t1 == t2', leaf(CEXPR_TYPE, CEXPR_EQ), false],
    ['r1 == r2', leaf(CEXPR_ROLE, CEXPR_EQ), false],
    ['r1 dom r2 (system_r vs admin_r)', leaf(CEXPR_ROLE, CEXPR_DOM), false],
    ['r1 domby r2', leaf(CEXPR_ROLE, CEXPR_DOMBY), true],
    ['r1 incomp r2', leaf(CEXPR_ROLE, CEXPR_INCOMP), false],
    ['u1 dom u2 is invalid → false', leaf(CEXPR_USER, CEXPR_DOM), false],
    ['l1 eq l2 (s0 vs s0:c1)', leaf(CEXPR_L1L2, CEXPR_EQ), false],
    ['l1 domby l2', leaf(CEXPR_L1L2, CEXPR_DOMBY), true],
    ['l1 dom h2', leaf(CEXPR_L1H2, CEXPR_DOM), false],
    ['h1 dom l2 (c1,c2 ⊇ c1)', leaf(CEXPR_H1L2, CEXPR_DOM), true],
    ['h1 dom h2 (c1,c2 vs c1,c2,c3)', leaf(CEXPR_H1H2, CEXPR_DOM), false],
    ['h1 incomp h2', leaf(CEXPR_H1H2, CEXPR_INCOMP), false],
    ['h1 != h2', leaf(CEXPR_H1H2, CEXPR_NEQ), true],
    ['l1 domby h1', leaf(CEXPR_L1H1, CEXPR_DOMBY), true],
    ['l2 eq h2', leaf(CEXPR_L2H2, CEXPR_EQ), false],
    ['t1 == { svirt_t }', names(CEXPR_TYPE, CEXPR_EQ, [T('svirt_t')]), true],
    ['t2 == { svirt_t }', names(CEXPR_TYPE | CEXPR_TARGET, CEXPR_EQ, [T('svirt_t')]), false],
    ['t2 != { svirt_t }', names(CEXPR_TYPE | CEXPR_TARGET, CEXPR_NEQ, [T('svirt_t')]), true],
    ['u2 == { admin_u }', names(CEXPR_USER | CEXPR_TARGET, CEXPR_EQ, [index.users.get('admin_u')!.value]), true],
    ['r1 == { system_r }', names(CEXPR_ROLE, CEXPR_EQ, [index.roles.get('system_r')!.value]), true],
    ['t3 == … has no xcontext in compute_av → false', names(CEXPR_TYPE | CEXPR_XTARGET, CEXPR_NEQ, []), false],
    ['names with dom op → false', names(CEXPR_TYPE, CEXPR_DOM, [T('svirt_t')]), false],
  ])('%s → %s', (_label, expr, expected) => {
    expect(evalConstraintExpr(model, expr, s, t)).toBe(expected);
  });

  it('malformed stacks evaluate to false', () => {
    const yes = leaf(CEXPR_USER, CEXPR_NEQ)[0]!;
    expect(evalConstraintExpr(model, [], s, t)).toBe(false);
    expect(evalConstraintExpr(model, [yes, yes], s, t)).toBe(false); // two values left
    expect(evalConstraintExpr(model, [yes, { exprType: 2, attr: 0, op: 0 }], s, t)).toBe(false); // AND underflow
    expect(evalConstraintExpr(model, [{ exprType: 1, attr: 0, op: 0 }], s, t)).toBe(false); // NOT underflow
    expect(evalConstraintExpr(model, [{ exprType: 9, attr: 0, op: 0 }], s, t)).toBe(false);
  });

  it('depth: 5 pending operands are fine, a 6th push makes the expression false', () => {
    const yes = leaf(CEXPR_USER, CEXPR_NEQ)[0]!;
    const or = { exprType: 3, attr: 0, op: 0 };
    expect(evalConstraintExpr(model, [yes, yes, yes, yes, yes, or, or, or, or], s, t)).toBe(true);
    expect(evalConstraintExpr(model, [yes, yes, yes, yes, yes, yes, or, or, or, or, or], s, t)).toBe(false);
  });
});

// ───── differential: postfix stack machine vs recursive tree evaluation ─────
type Tree = { k: 'leaf'; node: ConstraintExprNode; value: boolean } | { k: 'not'; x: Tree } | { k: 'and' | 'or'; l: Tree; r: Tree };
const leaves: Array<[ConstraintExprNode, boolean]> = [
  [leaf(CEXPR_USER, CEXPR_EQ)[0]!, false],
  [leaf(CEXPR_USER, CEXPR_NEQ)[0]!, true],
  [leaf(CEXPR_H1L2, CEXPR_DOM)[0]!, true],
  [leaf(CEXPR_H1H2, CEXPR_DOM)[0]!, false],
  [names(CEXPR_TYPE, CEXPR_EQ, [T('svirt_t')])[0]!, true],
  [names(CEXPR_TYPE | CEXPR_TARGET, CEXPR_EQ, [T('svirt_t')])[0]!, false],
];
const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...leaves).map(([node, value]): Tree => ({ k: 'leaf', node, value })),
    tie('tree').map((x): Tree => ({ k: 'not', x })),
    fc.record({ k: fc.constantFrom('and' as const, 'or' as const), l: tie('tree'), r: tie('tree') }),
  ),
})).tree;
const evalTree = (x: Tree): boolean => (x.k === 'leaf' ? x.value : x.k === 'not' ? !evalTree(x.x) : x.k === 'and' ? evalTree(x.l) && evalTree(x.r) : evalTree(x.l) || evalTree(x.r));
const depthOf = (x: Tree): number => (x.k === 'leaf' ? 1 : x.k === 'not' ? depthOf(x.x) : Math.max(depthOf(x.l), 1 + depthOf(x.r)));
const postfix = (x: Tree): ConstraintExprNode[] =>
  x.k === 'leaf' ? [x.node] : x.k === 'not' ? [...postfix(x.x), { exprType: 1, attr: 0, op: 0 }] : [...postfix(x.l), ...postfix(x.r), { exprType: x.k === 'and' ? 2 : 3, attr: 0, op: 0 }];

describe('constraint stack machine vs tree evaluation', () => {
  it('agree whenever the stack fits in CEXPR_MAX_DEPTH; deeper expressions are false', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const expected = depthOf(tree) <= 5 ? evalTree(tree) : false;
        expect(evalConstraintExpr(model, postfix(tree), s, t)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('a constraint only removes perms when it covers an allowed perm', () => {
    const m = svirtExampleBuilder().constrain('file', ['getattr'], [cx.attr(CEXPR_USER, CEXPR_EQ)]).build();
    const ix = buildSymbolIndex(m);
    const c = (x: string) => parseContext(m, ix, x);
    const f = ix.classes.get('file')!;
    const g = (1 << f.perms.indexOf('getattr')) >>> 0;
    const d = referenceComputeAv(m, c('system_u:system_r:svirt_t:s0:c1'), c('user_u:object_r:svirt_image_t:s0:c1'), f.value, [], g);
    expect(d.allowed & g).toBe(0);
    expect(d.reason).toBe(REASON_CONS);
  });
});
