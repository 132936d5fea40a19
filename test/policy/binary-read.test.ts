/**
 * readBinaryPolicy on the fixture policy (test/policy/fixtures/binary-mini.conf) compiled by
 * checkpolicy at test time: every section lands in the model as the policy text says, and versions
 * 24..33 of the same policy read to the same model.
 */
import { describe, expect, it } from 'vitest';
import { readBinaryPolicy } from '../../src/policy/binary.js';
import { buildSymbolIndex, type PolicyModel } from '../../src/policy/model.js';
import { HAVE_CHECKPOLICY, compilePolicy, fixtureText, fixtureTextFor, warnSkip } from './binary-env.js';
import { normalize } from './binary-normalize.js';

if (!HAVE_CHECKPOLICY) warnSkip('binary-read tests need checkpolicy');

describe.skipIf(!HAVE_CHECKPOLICY)('fixture policy.33', () => {
  const model = (): PolicyModel => readBinaryPolicy(compilePolicy(fixtureText(), 33), 'binary-mini.33');

  it('header, capabilities and symbol tables', () => {
    const m = model();
    const ix = buildSymbolIndex(m);
    expect(m.policyVersion).toBe(33);
    expect(m.mls).toBe(true);
    expect(m.handleUnknown).toBe('deny');
    expect([...m.policyCaps].sort()).toEqual(['network_peer_controls', 'open_perms']);
    expect(m.types.filter((t) => t.attribute).map((t) => t.name).sort()).toEqual(['domain', 'file_type', 'mcs_constrained_type', 'mcs_trusted_type']);
    expect(ix.types.get('qemu_t')!.name).toBe('svirt_t');
    expect([...ix.types.get('etc_t')!.aliases].sort()).toEqual(['conf_t', 'config_t']);
    expect(ix.types.get('svirt_child_t')!.bounds).toBe(ix.types.get('svirt_t')!.value);
    expect(m.types.filter((t) => t.permissive).map((t) => t.name)).toEqual(['debug_t']);
    expect(m.sensitivities.map((s) => s.name)).toEqual(['s0', 's1']);
    expect(ix.sensitivities.get('unclassified')!.name).toBe('s0');
    expect(m.categories).toHaveLength(8);
    expect(ix.categories.get('zero')!.name).toBe('c0');
    expect(m.bools.map((b) => `${b.name}=${b.defaultState}`).sort()).toEqual(['allow_guest_exec=false', 'guest_net=true', 'paranoid=false']);
    // values are 1-based and arrays are indexed by value - 1
    for (const table of [m.commons, m.classes, m.roles, m.types, m.users, m.bools, m.sensitivities, m.categories]) {
      table.forEach((d, i) => expect(d.value).toBe(i + 1));
    }
  });

  it('classes: common permissions first, defaults, constraints with written names', () => {
    const m = model();
    const ix = buildSymbolIndex(m);
    const file = ix.classes.get('file')!;
    expect(file.common).toBe('file');
    expect(file.perms.slice(0, 3)).toEqual(['ioctl', 'read', 'write']);
    expect(file.perms.slice(-2)).toEqual(['execute_no_trans', 'entrypoint']);
    expect(file.defaults).toEqual({ user: 'target', type: 'source', range: 'target low-high' });
    expect(ix.classes.get('process')!.defaults).toEqual({ range: 'glblub' });
    const mlsCons = file.constraints.filter((c) => c.mls);
    expect(mlsCons).toHaveLength(1);
    const names = mlsCons[0]!.expr.find((n) => n.exprType === 5)!;
    expect(names.written).toEqual(['mcs_constrained_type']);
    expect(names.names!.map((v) => m.types[v - 1]!.name).sort()).toEqual(['svirt_child_t', 'svirt_t']);
    expect(file.validatetrans).toHaveLength(1);
    expect(ix.classes.get('dir')!.validatetrans).toHaveLength(1);
  });

  it('type_attr_map and attrTypes are inverse, with each type holding its own value', () => {
    const m = model();
    const ix = buildSymbolIndex(m);
    m.typeAttrMap.forEach((vals, i) => {
      expect(vals).toContain(i + 1);
      expect([...vals].sort((a, b) => a - b)).toEqual(vals);
    });
    const members = (attr: string): string[] => m.attrTypes[ix.types.get(attr)!.value - 1]!.map((v) => m.types[v - 1]!.name).sort();
    expect(members('mcs_constrained_type')).toEqual(['svirt_child_t', 'svirt_t']);
    expect(members('domain')).toEqual(['debug_t', 'init_t', 'kernel_t', 'svirt_child_t', 'svirt_t', 'virtd_t']);
    for (const t of m.types.filter((x) => !x.attribute)) {
      for (const a of m.typeAttrMap[t.value - 1]!) if (a !== t.value) expect(m.attrTypes[a - 1]).toContain(t.value);
    }
  });

  it('avtab, conditionals, xperms, roles and transitions', () => {
    const m = model();
    const n = normalize(m);
    expect(n.avtab).toContain('allow svirt_t svirt_image_t:file append,getattr,ioctl,lock,open,read,write');
    expect(n.avtab).toContain('auditdeny svirt_t etc_t:file ~setattr,write');
    expect(n.avtab).toContain('auditallow virtd_t svirt_t:process sigkill');
    expect(n.conds).toContain('if (guest_net paranoid op2 op4) {allow svirt_t http_port_t:tcp_socket name_connect; auditallow svirt_t http_port_t:tcp_socket name_connect} else {}');
    expect(n.conds).toContain('if (allow_guest_exec) {allow svirt_t svirt_image_t:file execute,execute_no_trans} else {auditdeny svirt_t svirt_image_t:file ~execute}');
    expect(m.xperms.map((x) => `${x.kind} ${m.types[x.source - 1]!.name} ${JSON.stringify(x.ranges)}`).sort()).toEqual([
      'allowxperm svirt_t [[21505,21520]]',
      'allowxperm svirt_t [[35072,35327]]',
      'dontauditxperm svirt_t [[4660,4660]]',
    ]);
    expect(n.roleAllows).toEqual(['system_r->guest_r']);
    const other = m.other.map((o) => `${o.kind} ${o.args.join(' ')}`);
    const guestExec = m.conds.findIndex((c) => c.expr.length === 1 && m.bools[c.expr[0]!.bool - 1]!.name === 'allow_guest_exec');
    expect(other).toContain(`type_transition svirt_t svirt_image_t process svirt_child_t cond ${guestExec} true`);
    expect(other).toContain('type_transition virtd_t etc_t file virt_content_t "guest.xml"');
    expect(other).toContain('type_change svirt_t etc_t file virt_content_t');
    expect(other).toContain('role_transition system_r svirt_image_t process guest_r');
    expect(other).toContain('range_transition virtd_t svirt_image_t process s0-s0:c0.c3');
    expect(other).toContain('range_transition init_t virt_content_t process s1');
  });

  it('users, initial SIDs and object contexts', () => {
    const m = model();
    const n = normalize(m);
    expect(n.users).toContain('guest_u roles=guest_r range=s0:-s0:c0,c1,c2,c3 dflt=s0:');
    expect(m.initialSids.map((s) => `${s.sid}:${s.name}`)).toEqual(['1:kernel', '2:security', '3:unlabeled', '4:fs', '5:file', '9:port', '10:netif', '12:node', '27:devnull']);
    const kernel = m.initialSids[0]!.context!;
    expect(kernel.range!.high.sens).toBe(2);
    expect(kernel.range!.high.cats.toArray()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const other = m.other.map((o) => `${o.kind} ${o.args.join(' ')}`);
    expect(other).toContain('portcon tcp 5900-5999 system_u:object_r:port_t:s0:c1');
    expect(other).toContain('netifcon eth0 system_u:object_r:netif_t:s0 system_u:object_r:netif_t:s0');
    expect(other).toContain('nodecon 10.0.0.0 255.0.0.0 system_u:object_r:node_t:s0');
    expect(other).toContain('nodecon fe80:: ffff:ffff:: system_u:object_r:node_t:s0');
    expect(other).toContain('fs_use_xattr ext4 system_u:object_r:fs_t:s0');
    expect(other).toContain('genfscon proc /sys system_u:object_r:virt_content_t:s0 dir');
  });
});

describe.skipIf(!HAVE_CHECKPOLICY)('policy versions', () => {
  for (const version of [24, 25, 26, 27, 28, 29, 30, 31, 32]) {
    it(`version ${version} reads to the same model as version 33 of the same text`, () => {
      const text = fixtureTextFor(version);
      const old = readBinaryPolicy(compilePolicy(text, version));
      const cur = readBinaryPolicy(compilePolicy(text, 33));
      expect(old.policyVersion).toBe(version);
      expect(normalize(old)).toEqual(normalize(cur));
    });
  }
});
