import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, classByName, typeByName } from './text-helpers.js';
import { CategorySet } from '../../src/context/categories.js';
import { OBJECT_R_VALUE, buildSymbolIndex } from '../../src/policy/model.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/text-allstatements.conf', import.meta.url));
const m = compile(readFileSync(FIXTURE, 'utf8'), FIXTURE);

describe('declarations → model', () => {
  it('reads handle_unknown from the checkpolicy -F header and enables MLS', () => {
    expect(m.handleUnknown).toBe('reject');
    expect(m.mls).toBe(true);
    expect(m.policyCaps).toEqual(['open_perms', 'network_peer_controls']);
  });

  it('numbers classes in declaration order; common permissions take the low bits', () => {
    expect(m.classes.map((c) => c.name)).toEqual(['process', 'file', 'dir', 'tcp_socket']);
    const file = m.classes[classByName(m, 'file') - 1]!;
    expect(file.common).toBe('fileish');
    expect(file.perms).toEqual(['ioctl', 'read', 'write', 'getattr', 'execute', 'entrypoint']);
    expect(m.commons).toEqual([{ name: 'fileish', value: 1, perms: ['ioctl', 'read', 'write', 'getattr'] }]);
    expect(file.defaults).toEqual({ user: 'source', type: 'source', range: 'target low-high' });
    expect(m.classes[classByName(m, 'dir') - 1]!.defaults).toEqual({ role: 'target', type: 'source' });
  });

  it('gives initial SIDs their declaration position and resolves their contexts', () => {
    expect(m.initialSids.map((s) => [s.name, s.sid])).toEqual([['kernel', 1], ['security', 2], ['unlabeled', 3]]);
    const k = m.initialSids[0]!.context!;
    expect(k.type).toBe(typeByName(m, 'kernel_t'));
    expect(m.roles[k.role - 1]!.name).toBe('system_r');
    expect(k.range!.low.sens).toBe(1);
    expect(k.range!.high.sens).toBe(2);
    expect(k.range!.high.cats.toArray()).toEqual([0, 1, 2, 3]);
    const sec = m.initialSids[1]!.context!;
    expect(sec.role).toBe(OBJECT_R_VALUE);
    expect(sec.range!.high.cats.isEmpty()).toBe(true);
  });

  it('shares one value space between types and attributes; aliases from both forms', () => {
    expect(m.types.map((t) => [t.name, t.attribute])).toEqual([
      ['domain', true], ['mcs_constrained', true], ['file_type', true], ['kernel_t', false], ['svirt_t', false],
      ['other_t', false], ['image_t', false], ['etc_t', false], ['bounded_t', false],
    ]);
    const svirt = m.types[typeByName(m, 'svirt_t') - 1]!;
    expect(svirt.aliases).toEqual(['qemu_t', 'kvm_t']);
    expect(m.types[typeByName(m, 'image_t') - 1]!.aliases).toEqual(['disk_t']);
    const idx = buildSymbolIndex(m);
    expect(idx.types.get('config_t')!.name).toBe('etc_t');
  });

  it('builds typeAttrMap (self + attributes, sorted) and attrTypes (members)', () => {
    const v = (n: string): number => typeByName(m, n);
    expect(m.typeAttrMap[v('svirt_t') - 1]).toEqual([v('domain'), v('mcs_constrained'), v('svirt_t')]);
    expect(m.typeAttrMap[v('image_t') - 1]).toEqual([v('file_type'), v('image_t')]);
    expect(m.typeAttrMap[v('domain') - 1]).toEqual([v('domain')]);
    expect(m.attrTypes[v('domain') - 1]).toEqual([v('kernel_t'), v('svirt_t'), v('other_t')]);
    expect(m.attrTypes[v('mcs_constrained') - 1]).toEqual([v('svirt_t'), v('other_t')]);
    expect(m.attrTypes[v('image_t') - 1]).toEqual([]);
  });

  it('records typebounds and permissive', () => {
    expect(m.types[typeByName(m, 'bounded_t') - 1]!.bounds).toBe(typeByName(m, 'kernel_t'));
    expect(m.types[typeByName(m, 'other_t') - 1]!.permissive).toBe(true);
    expect(m.types[typeByName(m, 'svirt_t') - 1]!.permissive).toBe(false);
  });

  it('declares bools with their default state', () => {
    expect(m.bools).toEqual([
      { name: 'virt_use_nfs', value: 1, defaultState: false },
      { name: 'virt_sandbox', value: 2, defaultState: true },
      { name: 'secure_mode', value: 3, defaultState: true },
    ]);
  });

  it('fixes object_r at value 1; roles accumulate primary types; dominates = itself', () => {
    expect(m.roles.map((r) => r.name)).toEqual(['object_r', 'system_r', 'user_r']);
    const v = (n: string): number => typeByName(m, n);
    expect(m.roles[1]!.types).toEqual([v('kernel_t'), v('svirt_t'), v('other_t')]);
    expect(m.roles[2]!.types).toEqual([v('svirt_t'), v('other_t')]);
    expect(m.roles[2]!.dominates).toEqual([3]);
    expect(m.roleAllows).toEqual([[2, 3], [2, 2], [3, 2]]);
  });

  it('gives users roles, a default level and a range', () => {
    const u = m.users[1]!;
    expect(u.name).toBe('user_u');
    expect(u.roles).toEqual([3]);
    expect(u.defaultLevel!.sens).toBe(1);
    expect(u.defaultLevel!.cats.toArray()).toEqual([1]);
    expect(u.range!.high.cats.toArray()).toEqual([1, 2]);
  });

  it('orders sensitivities by dominance and keeps category/sensitivity aliases; level → allowedCats', () => {
    expect(m.sensitivities.map((s) => [s.name, s.value, s.aliases])).toEqual([['s0', 1, []], ['s1', 2, ['sec']]]);
    expect(m.categories.map((c) => [c.name, c.value])).toEqual([['c0', 1], ['c1', 2], ['c2', 3], ['c3', 4]]);
    expect(m.categories[1]!.aliases).toEqual(['blue']);
    expect(m.sensitivities[0]!.allowedCats.equals(CategorySet.range(0, 3))).toBe(true);
  });

  it('keeps decision-neutral statements in model.other with their locations', () => {
    const kinds = m.other.map((o) => o.kind);
    for (const k of ['neverallow', 'type_transition', 'type_member', 'type_change', 'range_transition', 'role_transition',
      'fs_use_xattr', 'fs_use_trans', 'fs_use_task', 'genfscon', 'portcon', 'netifcon', 'nodecon', 'ibpkeycon', 'ibendportcon']) {
      expect(kinds, k).toContain(k);
    }
    const named = m.other.find((o) => o.kind === 'type_transition' && o.args.length === 5)!;
    expect(named.args).toEqual(['svirt_t', 'image_t', 'dir', 'image_t', 'disk']);
    expect(named.loc!.line).toBeGreaterThan(1);
    const condTt = m.other.find((o) => o.kind === 'type_transition' && o.args.some((a) => a.startsWith('cond=')))!;
    expect(condTt.args.slice(-2)).toEqual(['cond=1', 'branch=false']);
    expect(m.other.filter((o) => o.kind === 'portcon').map((o) => o.args)).toEqual([
      ['tcp', '80', 'system_u:object_r:etc_t:s0'],
      ['udp', '1024-65535', 'system_u:object_r:etc_t:s0'],
    ]);
    expect(m.other.find((o) => o.kind === 'range_transition')!.args).toEqual(['kernel_t', 'image_t', 'process', 's0 - s1:c0.c3']);
    expect(m.other.filter((o) => o.kind === 'nodecon').map((o) => o.args[0])).toEqual(['127.0.0.1', '::ffff:127.0.0.1']);
    expect(m.other.filter((o) => o.kind === 'genfscon').map((o) => o.args.slice(0, 3))).toEqual([
      ['proc', '/', 'system_u:object_r:etc_t:s0'],
      ['proc', '/sys', '-d'],
      ['sysfs', '/x', '--'],
    ]);
  });

  it('compiles xperm rules with merged or complemented 16-bit ranges', () => {
    expect(m.xperms.map((x) => [x.kind, x.operation, x.ranges])).toEqual([
      ['allowxperm', 'ioctl', [[0x8900, 0x8905], [0x8910, 0x8910]]],
      ['dontauditxperm', 'ioctl', [[0, 0], [2, 0xffff]]],
    ]);
  });

  it('attaches constraints and validatetrans to their classes in policy order', () => {
    const proc = m.classes[classByName(m, 'process') - 1]!;
    expect(proc.constraints.map((c) => c.mls)).toEqual([true, false]);
    const file = m.classes[classByName(m, 'file') - 1]!;
    expect(file.constraints.map((c) => [c.mls, c.perms])).toEqual([[true, 0b110], [false, 0b100]]);
    expect(file.validatetrans.map((c) => c.mls)).toEqual([true, false]);
  });
});
