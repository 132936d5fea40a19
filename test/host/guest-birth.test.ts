/**
 * A guest's life on the simulated host over the embedded sVirt policy: its QEMU process is born
 * by virtqemud's exec into the guest's label (every kernel check through the AVC), a policy
 * without the transition rule fails the start with the AVC record and frees the MCS pair, and the
 * files a guest creates carry labels computed as the kernel computes them (the guest's categories),
 * which keep other guests out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { SimulatedHost } from '../../src/host/host.js';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { createMemoryStore } from '../../src/label/store.js';
import { embeddedPolicyPath, loadPolicyFile, parsePolicyText } from '../../src/policy/load.js';
import { loadFileContexts } from '../../src/labeling/load.js';
import { loadVirtualContexts } from '../../src/label/virt-contexts.js';
import { createSecurityServer } from '../../src/security/server.js';

const EMBEDDED = readFileSync(embeddedPolicyPath(), 'utf8');
const DAEMON = 'system_u:system_r:virtd_t:s0-s0:c0.c1023';
const IMG = '/var/lib/libvirt/images';

function makeHost(policyText = EMBEDDED): SimulatedHost {
  const model = parsePolicyText(policyText, 'svirt.conf');
  const store = createMemoryStore();
  const manager = new LabelManager({ store, policy: model, drivers: ['selinux'], rng: seededRng(11) });
  return new SimulatedHost({ store, manager, server: createSecurityServer(model), clock: () => 1700000000123 });
}

describe("a guest's birth: virtqemud executes QEMU into the guest's label", () => {
  it('checks setexec, execute, open, process transition, entrypoint and the mapping, all allowed', () => {
    const host = makeHost();
    host.define({ name: 'vm1', disks: [{ source: `${IMG}/vm1.qcow2` }] });
    expect(host.ls('/usr/libexec/qemu-kvm')).toEqual(['system_u:object_r:qemu_exec_t:s0 /usr/libexec/qemu-kvm']);
    const r = host.launch('vm1');
    const guest = r.record.live[0]!.label!;
    expect(r).toMatchObject({ allowed: true, exe: '/usr/libexec/qemu-kvm', from: DAEMON, to: guest, setexec: true, audit: [] });
    const exe = 'system_u:object_r:qemu_exec_t:s0';
    expect(r.steps.map((s) => [s.scontext, s.tcontext, s.tclass, s.perms.join(' ')])).toEqual([
      [DAEMON, DAEMON, 'process', 'setexec'],
      [DAEMON, exe, 'file', 'execute'],
      [DAEMON, exe, 'file', 'read open'],
      [DAEMON, guest, 'process', 'transition'],
      [guest, exe, 'file', 'entrypoint'],
      [guest, exe, 'file', 'map'],
      [guest, exe, 'file', 'read execute'],
    ]);
    expect(host.procs.byGuest('vm1')).toMatchObject({ pid: r.record.pid, comm: 'qemu-kvm', label: guest });
  });

  it('a guest with seclabel none is executed without an exec context: no type_transition, so it stays virtd_t', () => {
    const host = makeHost();
    host.define({ name: 'plain', seclabel: { type: 'none' } });
    const r = host.launch('plain');
    expect(r).toMatchObject({ allowed: true, from: DAEMON, to: DAEMON, setexec: false });
    expect(r.steps.map((s) => `${s.tclass} { ${s.perms.join(' ')} }`)).toEqual(['file { execute }', 'file { read open }', 'file { execute_no_trans }', 'file { map }', 'file { read execute }']);
    expect(host.procs.byGuest('plain')?.label).toBe(DAEMON);
  });

  it('a policy without the transition rule fails the start with the AVC record and frees the pair', () => {
    const text = EMBEDDED.replace(
      'allow virtd_t virt_domain:process { getattr getsched rlimitinh setsched sigkill signal signull transition };',
      'allow virtd_t virt_domain:process { getattr getsched rlimitinh setsched sigkill signal signull };',
    );
    expect(text).not.toBe(EMBEDDED);
    const host = makeHost(text);
    host.define({ name: 'vm1', disks: [{ source: `${IMG}/vm1.qcow2` }] });
    const r = host.launch('vm1');
    expect(r.allowed).toBe(false);
    const last = r.steps[r.steps.length - 1]!;
    expect([last.tclass, last.perms, last.scontext]).toEqual(['process', ['transition'], DAEMON]);
    expect(r.audit).toHaveLength(1);
    expect(r.audit[0]).toMatch(
      new RegExp(
        `^type=AVC msg=audit\\(1700000000\\.123:\\d+\\): avc:  denied  \\{ transition \\} for  pid=\\d+ comm="virtqemud" path="/usr/libexec/qemu-kvm" dev="dm-0" ino=\\d+ scontext=${DAEMON} tcontext=system_u:system_r:svirt_t:s0:c\\d+,c\\d+ tclass=process permissive=0$`,
      ),
    );
    // the guest is shut off again, its pair released and its image back to its original label
    expect(r.record.state).toBe('shutoff');
    expect(host.store.listMcs()).toEqual([]);
    expect(host.procs.byGuest('vm1')).toBeUndefined();
    expect(host.ls(`${IMG}/vm1.qcow2`)).toEqual([`system_u:object_r:virt_image_t:s0 ${IMG}/vm1.qcow2`]);
    // start() reports it as a typed error
    let err: unknown;
    try {
      host.start('vm1');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SvirtError);
    expect((err as SvirtError & { kind: string }).kind).toBe('exec-denied');
    expect((err as Error).message).toMatch(/^guest "vm1": cannot execute \/usr\/libexec\/qemu-kvm as .*: Permission denied \(process \{ transition \}/);
    expect(host.store.listMcs()).toEqual([]);
  });

  it('a policy without entrypoint on qemu_exec_t fails the start at the entrypoint check', () => {
    const text = EMBEDDED.replace('allow svirt_t qemu_exec_t:file { entrypoint execute', 'allow svirt_t qemu_exec_t:file { execute');
    expect(text).not.toBe(EMBEDDED);
    const host = makeHost(text);
    host.define({ name: 'vm1', disks: [{ source: `${IMG}/vm1.qcow2` }] });
    const r = host.launch('vm1');
    expect(r.allowed).toBe(false);
    expect(r.steps[r.steps.length - 1]).toMatchObject({ tclass: 'file', perms: ['entrypoint'] });
    expect(r.audit[0]).toMatch(/denied  \{ entrypoint \} .* tcontext=system_u:object_r:qemu_exec_t:s0 tclass=file permissive=0$/);
    expect(host.store.listMcs()).toEqual([]);
  });
});

describe('files a guest creates', () => {
  it("get the kernel's computed label with the guest's categories; another guest is denied on them", () => {
    const host = makeHost();
    host.define({ name: 'vm1', disks: [{ source: `${IMG}/vm1.qcow2` }] });
    host.define({ name: 'vm2', disks: [{ source: `${IMG}/vm2.qcow2` }] });
    const l1 = host.start('vm1').live[0]!.label!;
    host.start('vm2');
    const cats = l1.slice(l1.indexOf(':s0') + 1);
    expect(cats).toMatch(/^s0:c\d+,c\d+$/);
    const s = host.server;
    const cases: Array<[string, 'file' | 'sock_file', string]> = [
      ['/tmp/vm1-scratch', 'file', 'svirt_tmp_t'],
      ['/var/lib/libvirt/qemu/vm1.monitor', 'sock_file', 'svirt_runtime_t'],
    ];
    for (const [path, tclass, type] of cases) {
      const dir = host.fs.get(path.slice(0, path.lastIndexOf('/')))!;
      const expected = s.computeNewLabel('create', s.contextToSid(l1), s.contextToSid(dir.label), s.classValue(tclass), path.slice(path.lastIndexOf('/') + 1));
      const r = host.create('vm1', path, tclass);
      expect(r.allowed).toBe(true);
      expect(r.label).toBe(expected.context);
      expect(r.label).toBe(`system_u:object_r:${type}:${cats}`);
      expect(host.fs.get(path)).toMatchObject({ tclass, label: r.label });
      // its owner uses it; the other guest is refused by MCS, with the record
      expect(host.attack('vm1', path, 'read')).toMatchObject({ allowed: true });
      const denied = host.attack('vm2', path, 'read');
      expect(denied.allowed).toBe(false);
      expect(denied.audit[0]).toMatch(new RegExp(`denied  \\{ read \\} .* tcontext=system_u:object_r:${type}:${cats} tclass=${tclass} permissive=0$`));
    }
    // the objects survive a rebuild from the store, with their class
    host.refresh();
    expect(host.fs.get('/var/lib/libvirt/qemu/vm1.monitor')?.tclass).toBe('sock_file');
    expect(() => host.create('vm1', '/tmp/vm1-scratch')).toThrow(/File exists/);
    expect(() => host.create('vm1', '/nowhere/x')).toThrow(/No such file or directory/);
  });
});

const DEBIAN_POLICY = '/etc/selinux/default/policy/policy.33';
const DEBIAN_CONTEXTS = '/etc/selinux/default/contexts';
const haveDebian = existsSync(DEBIAN_POLICY) && existsSync(join(DEBIAN_CONTEXTS, 'files', 'file_contexts'));
if (!haveDebian) console.warn(`SKIPPING guest birth on Debian's policy: ${DEBIAN_POLICY} missing — apt-get install selinux-policy-default`);

describe.skipIf(!haveDebian)("the same life on Debian's policy and its contexts directory", () => {
  it('the exec is allowed with the same checks, and created files get the same labels as on the embedded policy', () => {
    const model = loadPolicyFile(DEBIAN_POLICY);
    const store = createMemoryStore();
    const manager = new LabelManager({
      store,
      policy: model,
      drivers: ['selinux'],
      rng: seededRng(11),
      fileContexts: loadFileContexts(join(DEBIAN_CONTEXTS, 'files'), { policy: model }),
      selinux: loadVirtualContexts(DEBIAN_CONTEXTS),
    });
    const debian = new SimulatedHost({ store, manager, server: createSecurityServer(model), clock: () => 1700000000123 });
    const embedded = makeHost();
    const results = [debian, embedded].map((host) => {
      host.define({ name: 'vm1', disks: [{ source: `${IMG}/vm1.qcow2` }] });
      const r = host.launch('vm1');
      return {
        allowed: r.allowed,
        steps: r.steps.map((s) => `${s.tclass} { ${s.perms.join(' ')} } ${s.scontext} -> ${s.tcontext} ${s.allowed}`),
        binary: host.fs.get('/usr/libexec/qemu-kvm')!.label,
        tmp: host.create('vm1', '/tmp/scratch').label,
        sock: host.create('vm1', '/var/lib/libvirt/qemu/vm1.monitor', 'sock_file').label,
      };
    });
    expect(results[0]!.allowed).toBe(true);
    expect(results[0]).toEqual(results[1]);
  });
});
