import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseContext } from '../../src/context/context.js';
import { defaultBoolStates, referenceComputeAv } from '../../src/security/reference.js';
import { AVD_FLAGS_PERMISSIVE, REASON_TE } from '../../src/types.js';
import { buildSymbolIndex, type PolicyModel } from '../../src/policy/model.js';
import { ModelBuilder, svirtExampleBuilder } from '../support/model-builder.js';

function setup(model: PolicyModel) {
  const index = buildSymbolIndex(model);
  const ctx = (t: string) => parseContext(model, index, t);
  const cls = (n: string) => index.classes.get(n)!;
  const mask = (c: string, perms: string[]) => perms.reduce((m, p) => (m | (1 << cls(c).perms.indexOf(p))) >>> 0, 0);
  return { index, ctx, cls, mask };
}

describe('referenceComputeAv: type enforcement', () => {
  const model = svirtExampleBuilder()
    .auditallow('svirt_t', 'file_type', 'file', ['write'])
    .auditallow('domain', 'svirt_image_t', 'file', ['append'])
    .dontaudit('svirt_t', 'file_type', 'file', ['setattr', 'create'])
    .dontaudit('domain', 'file_type', 'file', ['create', 'unlink'])
    .build();
  const { ctx, cls, mask } = setup(model);
  const guest = ctx('system_u:system_r:svirt_t:s0:c1,c2');
  const disk = ctx('system_u:object_r:svirt_image_t:s0:c1,c2');
  const bools = defaultBoolStates(model);

  it('expands attributes on both sides and ORs allow / auditallow, ANDs auditdeny', () => {
    const d = referenceComputeAv(model, guest, disk, cls('file').value, bools);
    expect(d.allowed).toBe(mask('file', ['read', 'write', 'getattr', 'open', 'append', 'lock', 'ioctl']));
    expect(d.auditallow).toBe(mask('file', ['write', 'append']));
    expect(d.auditdeny).toBe(~mask('file', ['setattr', 'create', 'unlink']) >>> 0);
    expect(d.seqno).toBe(0);
    expect(d.flags).toBe(0);
    expect(d.reason).toBe(0);
  });

  it('reports TE for requested permissions no allow rule covers', () => {
    const d = referenceComputeAv(model, guest, disk, cls('file').value, bools, mask('file', ['read', 'relabelto']));
    expect(d.reason).toBe(REASON_TE);
  });

  it('class 0 and classes beyond the policy allow nothing', () => {
    for (const tclass of [0, model.classes.length + 1, -1, 1.5]) {
      const d = referenceComputeAv(model, guest, disk, tclass, bools, 1);
      expect(d.allowed).toBe(0);
      expect(d.auditdeny).toBe(0xffffffff);
      expect(d.reason).toBe(REASON_TE);
    }
  });

  it('sets PERMISSIVE from the source type only, without changing allowed', () => {
    const m = svirtExampleBuilder().type('perm_t', ['domain'], { permissive: true }).build();
    const s = setup(m);
    const src = s.ctx('system_u:system_r:perm_t:s0');
    const d = referenceComputeAv(m, src, s.ctx('system_u:object_r:svirt_image_t:s0'), s.cls('file').value, defaultBoolStates(m));
    expect(d.flags).toBe(AVD_FLAGS_PERMISSIVE);
    expect(d.allowed).toBe(0);
    const back = referenceComputeAv(m, s.ctx('system_u:system_r:svirt_t:s0'), src, s.cls('process').value, defaultBoolStates(m));
    expect(back.flags).toBe(0);
  });
});

describe('referenceComputeAv: TE differential against brute-force rule expansion', () => {
  // random policies: 6 types, 3 attributes with random members, random allow/dontaudit rules
  const TYPES = ['a_t', 'b_t', 'c_t', 'd_t', 'e_t', 'f_t'];
  const ATTRS = ['x_attr', 'y_attr', 'z_attr'];
  const NAMES = [...TYPES, ...ATTRS];
  const PERMS = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10', 'p11', 'p12', 'p13', 'p14', 'p15', 'p16', 'p17', 'p18', 'p19', 'p20', 'p21', 'p22', 'p23', 'p24', 'p25', 'p26', 'p27', 'p28', 'p29', 'p30', 'p31'];
  const ruleArb = fc.record({
    kind: fc.constantFrom('allow' as const, 'auditallow' as const, 'dontaudit' as const),
    source: fc.constantFrom(...NAMES),
    target: fc.constantFrom(...NAMES),
    perms: fc.subarray(PERMS, { minLength: 1, maxLength: 5 }),
  });
  const policyArb = fc.record({
    members: fc.array(fc.subarray(ATTRS), { minLength: TYPES.length, maxLength: TYPES.length }),
    rules: fc.array(ruleArb, { maxLength: 25 }),
    s: fc.constantFrom(...TYPES),
    t: fc.constantFrom(...TYPES),
  });

  it('allowed / auditallow / auditdeny equal the naive fold over all rules', () => {
    fc.assert(
      fc.property(policyArb, ({ members, rules, s, t }) => {
        const b = new ModelBuilder().cls('thing', PERMS);
        for (const a of ATTRS) b.attribute(a);
        TYPES.forEach((ty, i) => b.type(ty, members[i]!));
        b.role('r', TYPES).user('u', ['r']);
        for (const r of rules) b[r.kind](r.source, r.target, 'thing', r.perms);
        const m = b.build();
        const { ctx, cls } = setup(m);
        const covers = (name: string, ty: string): boolean => name === ty || (ATTRS.includes(name) && members[TYPES.indexOf(ty)]!.includes(name));
        let allowed = 0;
        let auditallow = 0;
        let auditdeny = 0xffffffff;
        for (const r of rules) {
          if (!covers(r.source, s) || !covers(r.target, t)) continue;
          const bits = r.perms.reduce((acc, p) => (acc | (1 << PERMS.indexOf(p))) >>> 0, 0);
          if (r.kind === 'allow') allowed = (allowed | bits) >>> 0;
          else if (r.kind === 'auditallow') auditallow = (auditallow | bits) >>> 0;
          else auditdeny = (auditdeny & ~bits) >>> 0;
        }
        const d = referenceComputeAv(m, ctx(`u:r:${s}`), ctx(`u:r:${t}`), cls('thing').value, []);
        expect({ allowed: d.allowed, auditallow: d.auditallow, auditdeny: d.auditdeny }).toEqual({ allowed, auditallow, auditdeny });
      }),
      { numRuns: 400 },
    );
  });
});
