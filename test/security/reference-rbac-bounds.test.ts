import { describe, expect, it } from 'vitest';
import { parseContext } from '../../src/context/context.js';
import { referenceComputeAv } from '../../src/security/reference.js';
import { REASON_BOUNDS, REASON_RBAC, REASON_TE } from '../../src/types.js';
import { buildSymbolIndex, type PolicyModel } from '../../src/policy/model.js';
import { ModelBuilder, svirtExampleBuilder } from '../support/model-builder.js';

function setup(model: PolicyModel) {
  const index = buildSymbolIndex(model);
  const ctx = (t: string) => parseContext(model, index, t);
  const bits = (cls: string, perms: string[]) => {
    const c = index.classes.get(cls)!;
    return perms.reduce((m, p) => (m | (1 << c.perms.indexOf(p))) >>> 0, 0);
  };
  return { index, ctx, bits, cls: (n: string) => index.classes.get(n)!.value };
}

describe('role allow for process transitions', () => {
  const base = () => svirtExampleBuilder().allow('unconfined_t', 'svirt_t', 'process', ['transition', 'dyntransition', 'sigkill']);
  const trans = ['transition', 'dyntransition'];

  it('removes transition and dyntransition when roles differ and no allow rule exists', () => {
    const m = base().build();
    const { ctx, bits, cls } = setup(m);
    const d = referenceComputeAv(m, ctx('system_u:unconfined_r:unconfined_t:s0-s0:c0.c1023'), ctx('system_u:system_r:svirt_t:s0:c1,c2'), cls('process'), [], bits('process', ['transition']));
    expect(d.allowed).toBe(bits('process', ['sigkill']));
    expect(d.reason).toBe(REASON_RBAC);
  });

  it('keeps them with `allow unconfined_r system_r;` or when the roles are equal', () => {
    const m = base().roleAllow('unconfined_r', 'system_r').build();
    const { ctx, bits, cls } = setup(m);
    const d = referenceComputeAv(m, ctx('system_u:unconfined_r:unconfined_t:s0-s0:c0.c1023'), ctx('system_u:system_r:svirt_t:s0:c1,c2'), cls('process'), [], bits('process', trans));
    expect(d.allowed).toBe(bits('process', [...trans, 'sigkill']));
    expect(d.reason).toBe(0);
    const m2 = base().build();
    const s2 = setup(m2);
    const same = referenceComputeAv(m2, s2.ctx('system_u:system_r:unconfined_t:s0-s0:c0.c1023'), s2.ctx('system_u:system_r:svirt_t:s0:c1,c2'), s2.cls('process'), [], s2.bits('process', trans));
    expect(same.reason).toBe(0);
  });

  it('applies only to the class named process', () => {
    const m = new ModelBuilder().cls('not_process', ['transition']).type('a_t').type('b_t').role('r1', ['a_t', 'b_t']).role('r2', ['a_t', 'b_t']).user('u', ['r1', 'r2']).allow('a_t', 'b_t', 'not_process', ['transition']).build();
    const { ctx, cls } = setup(m);
    expect(referenceComputeAv(m, ctx('u:r1:a_t'), ctx('u:r2:b_t'), cls('not_process'), [], 1).allowed).toBe(1);
  });
});

describe('typebounds', () => {
  const build = () =>
    new ModelBuilder()
      .cls('file', ['read', 'write', 'getattr'])
      .type('parent_t')
      .type('child_t', [], { bounds: 'parent_t' })
      .type('obj_t')
      .type('objchild_t', [], { bounds: 'obj_t' })
      .role('r', ['parent_t', 'child_t', 'obj_t', 'objchild_t'])
      .user('u', ['r'])
      .allow('parent_t', 'obj_t', 'file', ['read', 'getattr'])
      .allow('child_t', 'obj_t', 'file', ['read', 'write', 'getattr'])
      .allow('child_t', 'objchild_t', 'file', ['read', 'write']);

  it('masks what the bounding type may not do, reason BOUNDS', () => {
    const m = build().build();
    const { ctx, bits, cls } = setup(m);
    const d = referenceComputeAv(m, ctx('u:r:child_t'), ctx('u:r:obj_t'), cls('file'), [], bits('file', ['write']));
    expect(d.allowed).toBe(bits('file', ['read', 'getattr']));
    expect(d.reason).toBe(REASON_BOUNDS);
  });

  it('uses the target bounds type for the parent computation', () => {
    const m = build().build();
    const { ctx, bits, cls } = setup(m);
    // parent_t → obj_t (the target's bound) allows read, so read survives on objchild_t; write is masked
    const d = referenceComputeAv(m, ctx('u:r:child_t'), ctx('u:r:objchild_t'), cls('file'), [], bits('file', ['read']));
    expect(d.allowed).toBe(bits('file', ['read']));
    // write was masked (not requested): libsepol still reports BOUNDS
    expect(d.reason).toBe(REASON_BOUNDS);
  });

  it('BOUNDS whenever typebounds masked any bit (as libsepol); TE too for bits TE never granted', () => {
    const m = build().build();
    const { ctx, bits, cls } = setup(m);
    expect(referenceComputeAv(m, ctx('u:r:child_t'), ctx('u:r:obj_t'), cls('file'), [], bits('file', ['read'])).reason).toBe(REASON_BOUNDS);
    expect(referenceComputeAv(m, ctx('u:r:child_t'), ctx('u:r:objchild_t'), cls('file'), [], bits('file', ['getattr'])).reason).toBe(REASON_TE | REASON_BOUNDS);
    expect(referenceComputeAv(m, ctx('u:r:parent_t'), ctx('u:r:obj_t'), cls('file'), [], bits('file', ['read'])).reason).toBe(0);
  });

  it('a bounds cycle (rejected by the kernel at load) fails closed', () => {
    const m = build().build();
    m.types.find((t) => t.name === 'parent_t')!.bounds = m.types.find((t) => t.name === 'child_t')!.value;
    const { ctx, cls } = setup(m);
    expect(referenceComputeAv(m, ctx('u:r:child_t'), ctx('u:r:obj_t'), cls('file'), []).allowed).toBe(0);
  });
});
