import { describe, expect, it } from 'vitest';
import { parseContext } from '../../src/context/context.js';
import { explainAccess } from '../../src/security/explain.js';
import { referenceComputeAv } from '../../src/security/reference.js';
import { buildSymbolIndex, CEXPR_DOM, CEXPR_L1L2, CEXPR_NAMES, CEXPR_ROLE, CEXPR_TARGET, CEXPR_TYPE, CEXPR_EQ, type PolicyModel } from '../../src/policy/model.js';
import { ModelBuilder, cx, rule, svirtExampleBuilder } from '../support/model-builder.js';

function setup(model: PolicyModel) {
  const index = buildSymbolIndex(model);
  const ctx = (t: string) => parseContext(model, index, t);
  const cls = (n: string) => index.classes.get(n)!;
  const mask = (c: string, perms: string[]) => perms.reduce((m, p) => (m | (1 << cls(c).perms.indexOf(p))) >>> 0, 0);
  return { ctx, cls, mask };
}

const GUEST = 'system_u:system_r:svirt_t:s0:c1,c2';

describe('explainAccess: one test per denial kind', () => {
  it('CONS: the MCS constraint with operand values (worked example)', () => {
    const m = svirtExampleBuilder().build();
    const { ctx, cls, mask } = setup(m);
    const e = explainAccess(m, ctx(GUEST), ctx('system_u:object_r:svirt_image_t:s0:c3,c4'), cls('file').value, mask('file', ['open', 'read', 'getattr']), []);
    expect(e.allowed).toBe(false);
    expect(e.reasons).toEqual(['CONS']);
    expect(e.boolsThatWouldGrant).toEqual([]);
    expect(e.lines).toEqual([
      'check: scontext=system_u:system_r:svirt_t:s0:c1,c2 tcontext=system_u:object_r:svirt_image_t:s0:c3,c4 tclass=file',
      'verdict: denied (CONS)',
      'allowed: { getattr }',
      'denied: { read open }',
      '{ read open } denied by a constraint (CONS):',
      '  mlsconstrain file { ioctl read write lock relabelfrom relabelto append execute open } ((h1 dom h2) or (t1 != mcs_constrained_type))',
      '    h1 = s0:c1,c2, h2 = s0:c3,c4: the subject lacks c3,c4',
      '    t1 = svirt_t which is in mcs_constrained_type',
      'the policy allows svirt_t on svirt_image_t:file: { getattr }',
    ]);
  });

  it('TE: types searched, suggested rule, and the boolean that would grant', () => {
    const m = svirtExampleBuilder().build();
    const { ctx, cls, mask } = setup(m);
    const e = explainAccess(m, ctx(GUEST), ctx('system_u:object_r:nfs_t:s0'), cls('file').value, mask('file', ['read', 'write']), []);
    expect(e.reasons).toEqual(['TE']);
    expect(e.boolsThatWouldGrant).toEqual(['virt_use_nfs']);
    expect(e.lines).toEqual([
      'check: scontext=system_u:system_r:svirt_t:s0:c1,c2 tcontext=system_u:object_r:nfs_t:s0 tclass=file',
      'verdict: denied (TE)',
      'denied: { read write }',
      '{ read write } denied by type enforcement (TE): no allow rule grants { read write } on nfs_t:file to svirt_t',
      '  searched source types: svirt_t, domain, mcs_constrained_type',
      '  searched target types: nfs_t, file_type',
      '  suggested rule: allow svirt_t nfs_t:file { read write };',
      '  boolean virt_use_nfs is false; setting it to true would grant { read } via allow svirt_t nfs_t:file { read getattr open };',
      'the policy allows svirt_t on nfs_t:file: nothing',
    ]);
  });

  it('TE with a false-list rule: the boolean must be turned off; compound expressions name each flip', () => {
    const m = svirtExampleBuilder()
      .bool('lockdown', true)
      .bool('extra', false)
      .cond(['lockdown'], [], [rule.allow('svirt_t', 'nfs_t', 'file', ['write'])])
      .cond(['virt_use_nfs', 'extra', 'and'], [rule.allow('domain', 'file_type', 'file', ['append'])])
      .build();
    const { ctx, cls, mask } = setup(m);
    const e = explainAccess(m, ctx(GUEST), ctx('system_u:object_r:nfs_t:s0'), cls('file').value, mask('file', ['write', 'append']), []);
    expect(e.boolsThatWouldGrant).toEqual(['lockdown']);
    expect(e.lines.filter((l) => l.startsWith('  boolean'))).toEqual([
      '  boolean lockdown is true; setting it to false would grant { write } via allow svirt_t nfs_t:file { write };',
    ]);
    expect(e.lines).toContain('  no single boolean change enables allow domain file_type:file { append };');
  });

  it('RBAC: the missing role allow rule', () => {
    const m = svirtExampleBuilder().allow('unconfined_t', 'svirt_t', 'process', ['transition', 'sigkill']).build();
    const { ctx, cls, mask } = setup(m);
    const e = explainAccess(m, ctx('system_u:unconfined_r:unconfined_t:s0-s0:c0.c1023'), ctx(GUEST), cls('process').value, mask('process', ['transition', 'sigkill']), []);
    expect(e.reasons).toEqual(['RBAC']);
    expect(e.lines).toEqual([
      'check: scontext=system_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 tcontext=system_u:system_r:svirt_t:s0:c1,c2 tclass=process',
      'verdict: denied (RBAC)',
      'allowed: { sigkill }',
      'denied: { transition }',
      '{ transition } denied by role-based access control (RBAC): the role changes from unconfined_r to system_r and `allow unconfined_r system_r;` is missing',
      'the policy allows unconfined_t on svirt_t:process: { sigkill }',
    ]);
  });

  it('BOUNDS: the bounding type may not do it', () => {
    const m = new ModelBuilder()
      .cls('file', ['read', 'write'])
      .type('parent_t')
      .type('child_t', [], { bounds: 'parent_t' })
      .type('obj_t')
      .role('r', ['parent_t', 'child_t', 'obj_t'])
      .user('u', ['r'])
      .allow('parent_t', 'obj_t', 'file', ['read'])
      .allow('child_t', 'obj_t', 'file', ['read', 'write'])
      .build();
    const { ctx, cls, mask } = setup(m);
    const e = explainAccess(m, ctx('u:r:child_t'), ctx('u:r:obj_t'), cls('file').value, mask('file', ['read', 'write']), []);
    expect(e.reasons).toEqual(['BOUNDS']);
    expect(e.lines).toEqual([
      'check: scontext=u:r:child_t tcontext=u:r:obj_t tclass=file',
      'verdict: denied (BOUNDS)',
      'allowed: { read }',
      'denied: { write }',
      '{ write } denied by typebounds (BOUNDS): child_t is bounded by parent_t, and parent_t is not allowed { write } on obj_t:file',
      'the policy allows child_t on obj_t:file: { read }',
    ]);
  });

  it('dontaudit suppression and permissive domains are named', () => {
    const m = svirtExampleBuilder().type('debug_t', ['domain'], { permissive: true }).dontaudit('domain', 'file_type', 'file', ['setattr']).build();
    const { ctx, cls, mask } = setup(m);
    const e = explainAccess(m, ctx('system_u:system_r:debug_t:s0'), ctx('system_u:object_r:nfs_t:s0'), cls('file').value, mask('file', ['setattr']), []);
    expect(e.lines.slice(-4)).toEqual([
      'dontaudit: the denial of { setattr } is not logged:',
      '  dontaudit domain file_type:file { setattr };',
      'debug_t is a permissive domain: the kernel logs the denial and allows the access (permissive=1)',
      'the policy allows debug_t on nfs_t:file: nothing',
    ]);
  });

  it('other constraint leaves print their operand values', () => {
    const m = svirtExampleBuilder()
      .role('admin_r', ['domain'], { dominates: ['system_r'] })
      .user('admin_u', ['admin_r'], 's0-s0:c0.c1023')
      .allow('svirt_t', 'domain', 'process', ['signal'])
      .constrain('process', ['signal'], [cx.attr(CEXPR_ROLE, CEXPR_DOM), cx.raw({ exprType: CEXPR_NAMES, attr: CEXPR_TYPE | CEXPR_TARGET, op: CEXPR_EQ, names: [] }), cx.or()])
      .mlsconstrain('process', ['signal'], [cx.attr(CEXPR_L1L2, CEXPR_DOM)])
      .build();
    const { ctx, cls, mask } = setup(m);
    const e = explainAccess(m, ctx(GUEST), ctx('admin_u:admin_r:unconfined_t:s0:c5'), cls('process').value, mask('process', ['signal']), []);
    expect(e.lines.slice(3, 9)).toEqual([
      '{ signal } denied by a constraint (CONS):',
      '  constrain process { signal } ((r1 dom r2) or (t2 == { }))',
      '    r1 = system_r, r2 = admin_r: r1 dom r2 is false',
      '    t2 = unconfined_t which is not in { }',
      '  mlsconstrain process { signal } (l1 dom l2)',
      '    l1 = s0:c1,c2, l2 = s0:c5: the subject lacks c5',
    ]);
  });

  it('an allowed request says so and lists the vector', () => {
    const m = svirtExampleBuilder().build();
    const { ctx, cls, mask } = setup(m);
    const e = explainAccess(m, ctx(GUEST), ctx('system_u:object_r:svirt_image_t:s0:c1,c2'), cls('file').value, mask('file', ['read']), []);
    expect(e).toEqual({
      allowed: true,
      reasons: [],
      boolsThatWouldGrant: [],
      lines: [
        'check: scontext=system_u:system_r:svirt_t:s0:c1,c2 tcontext=system_u:object_r:svirt_image_t:s0:c1,c2 tclass=file',
        'verdict: allowed',
        'allowed: { read }',
        'the policy allows svirt_t on svirt_image_t:file: { ioctl read write getattr lock append open }',
      ],
    });
  });

  it('verdict always agrees with the reference decision', () => {
    const m = svirtExampleBuilder().build();
    const { ctx, cls } = setup(m);
    const subjects = [GUEST, 'system_u:system_r:unconfined_t:s0-s0:c0.c1023', 'system_u:system_r:svirt_t:s0:c3,c4'];
    const objects = ['system_u:object_r:svirt_image_t:s0:c3,c4', 'system_u:object_r:nfs_t:s0', 'system_u:object_r:svirt_image_t:s0'];
    for (const s of subjects) {
      for (const t of objects) {
        for (let req = 1; req < 1 << 15; req = req * 3 + 1) {
          const d = referenceComputeAv(m, ctx(s), ctx(t), cls('file').value, [], req);
          const e = explainAccess(m, ctx(s), ctx(t), cls('file').value, req, []);
          expect(e.allowed).toBe((d.allowed & req) === req);
          expect(e.reasons.length === 0).toBe(d.reason === 0);
        }
      }
    }
  });
});
