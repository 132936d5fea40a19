import { describe, expect, it } from 'vitest';
import { parsePolicyText } from '../../src/policy/load.js';
import { createSecurityServer } from '../../src/security/server.js';
import { createMemoryStore } from '../../src/label/store.js';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { parseSetrans } from '../../src/context/setrans.js';
import { SimulatedHost } from '../../src/host/host.js';
import { HOST_TEST_POLICY } from './fixtures-policy.js';

const model = parsePolicyText(HOST_TEST_POLICY, 'host-test.conf');

function makeHost(setrans?: string): SimulatedHost {
  const store = createMemoryStore();
  const manager = new LabelManager({
    store,
    policy: model,
    drivers: ['selinux'],
    rng: seededRng(7),
    selinux: { daemonContext: 'system_u:system_r:virtd_t:s0-s0:c0.c15' },
  });
  return new SimulatedHost({ store, manager, server: createSecurityServer(model), clock: () => 1700000000123, adminContext: 'unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c15', daemonContext: 'system_u:system_r:virtd_t:s0-s0:c0.c15', ...(setrans ? { setrans: parseSetrans(setrans) } : {}) });
}

const IMG = '/var/lib/libvirt/images';

describe('a guest on the simulated host, end to end', () => {
  it('define → start (labels in ls -Z / ps -eZ) → attack denied with its record → stop restores', () => {
    const host = makeHost();
    host.define({ name: 'vm1', disks: [{ source: `${IMG}/vm1.qcow2` }] });
    host.define({ name: 'vm2', disks: [{ source: `${IMG}/vm2.qcow2` }] });
    expect(host.ls(`${IMG}/vm1.qcow2`)).toEqual([`system_u:object_r:virt_image_t:s0 ${IMG}/vm1.qcow2`]);

    const r1 = host.start('vm1');
    const r2 = host.start('vm2');
    const l1 = r1.live[0]!.label!;
    const l2 = r2.live[0]!.label!;
    expect(l1).toMatch(/^system_u:system_r:svirt_t:s0:c\d+,c\d+$/);
    expect(l2).not.toBe(l1);
    const img1 = l1.replace('system_r:svirt_t', 'object_r:svirt_image_t');
    const img2 = l2.replace('system_r:svirt_t', 'object_r:svirt_image_t');

    // ls -Z of the directory: contexts right-aligned to the widest
    const lines = host.ls(IMG);
    const w = Math.max(img1.length, img2.length);
    expect(lines).toEqual([`${img1.padStart(w)} vm1.qcow2`, `${img2.padStart(w)} vm2.qcow2`]);

    // ps -eZ: header and the two QEMU processes
    const ps = host.ps();
    expect(ps[0]).toBe('LABEL                               PID TTY          TIME CMD');
    const pid1 = r1.pid!;
    // a 34-character label overflows LABEL (31): procps shifts PID and absorbs it in later padding
    expect(l1).toHaveLength(34);
    expect(ps).toContain(`${l1} ${pid1} ?        00:00:00 qemu-kvm`);
    expect(ps).toContain('system_u:system_r:init_t:s0           1 ?        00:00:03 systemd');
    expect(ps).toContain('unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c15 2153 pts/0 00:00:00 bash');

    // vm1 reads its own image: allowed, no record
    expect(host.attack('vm1', `${IMG}/vm1.qcow2`, 'read')).toMatchObject({ allowed: true, audit: [] });
    // vm1 reads vm2's image: MCS denies it, with the kernel-format record
    const obj = host.fs.get(`${IMG}/vm2.qcow2`)!;
    const attack = host.attack('vm1', `${IMG}/vm2.qcow2`, 'read');
    expect(attack.allowed).toBe(false);
    expect(attack.errno).toBe('EACCES');
    expect(attack.audit).toEqual([
      `type=AVC msg=audit(1700000000.123:1): avc:  denied  { read } for  pid=${pid1} comm="qemu-kvm" path="${IMG}/vm2.qcow2" dev="dm-0" ino=${obj.ino} scontext=${l1} tcontext=${img2} tclass=file permissive=0`,
    ]);
    expect(host.audit.lines()).toEqual(attack.audit);

    // killing the other guest is denied too; its own process is fine
    expect(host.attack('vm1', 'vm2', 'sigkill').allowed).toBe(false);
    expect(host.attack('vm1', 'vm1', 'sigkill').allowed).toBe(true);
    // the host's secrets are off limits by type enforcement
    expect(host.attack('vm1', '/etc/shadow', 'read').allowed).toBe(false);

    host.stop('vm1');
    expect(host.ls(`${IMG}/vm1.qcow2`)).toEqual([`system_u:object_r:virt_image_t:s0 ${IMG}/vm1.qcow2`]);
    expect(host.ps().some((l) => l.includes(l1))).toBe(false);
    expect(() => host.attack('vm1', `${IMG}/vm2.qcow2`)).toThrow(/not running/);
  });

  it('inode numbers are stable across refreshes', () => {
    const host = makeHost();
    host.define({ name: 'vm1', disks: [{ source: `${IMG}/vm1.qcow2` }] });
    const ino = host.fs.get(`${IMG}/vm1.qcow2`)!.ino;
    host.refresh();
    expect(host.fs.get(`${IMG}/vm1.qcow2`)!.ino).toBe(ino);
  });

  it('ls -Z and ps -eZ translate through setrans when configured', () => {
    const host = makeHost('s0=SystemLow\ns0-s0:c0.c15=SystemLow-SystemHigh\ns0:c0.c15=SystemHigh\n');
    expect(host.ls('/etc/shadow')).toEqual(['system_u:object_r:shadow_t:SystemLow /etc/shadow']);
    expect(host.ps().find((l) => l.includes('virtqemud'))).toBe(
      'system_u:system_r:virtd_t:SystemLow-SystemHigh 812 ? 00:00:01 virtqemud',
    );
  });
});

describe('chcon on the simulated host', () => {
  it('the admin relabels a file; the store keeps it', () => {
    const host = makeHost();
    host.define({ name: 'vm1', disks: [{ source: `${IMG}/vm1.qcow2` }] });
    const r = host.chcon('system_u:object_r:svirt_image_t:s0:c3,c4', `${IMG}/vm1.qcow2`);
    expect(r).toMatchObject({ allowed: true, from: 'system_u:object_r:virt_image_t:s0', to: 'system_u:object_r:svirt_image_t:s0:c3,c4' });
    expect(r.steps.map((s) => s.perms.join(' '))).toEqual(['relabelfrom', 'relabelto', 'associate']);
    host.refresh();
    expect(host.ls(`${IMG}/vm1.qcow2`)[0]).toBe(`system_u:object_r:svirt_image_t:s0:c3,c4 ${IMG}/vm1.qcow2`);
  });

  it('a range label on a file breaks the MCS create/relabelto rule (l2 eq h2): denied with a record', () => {
    const host = makeHost();
    host.define({ name: 'vm1', disks: [{ source: `${IMG}/vm1.qcow2` }] });
    const r = host.chcon('system_u:object_r:svirt_image_t:s0-s0:c3', `${IMG}/vm1.qcow2`);
    expect(r.allowed).toBe(false);
    expect(r.steps[r.steps.length - 1]!.perms).toEqual(['relabelto']);
    expect(r.audit[0]).toMatch(/avc: {2}denied {2}\{ relabelto \} for {2}pid=2153 comm="bash" name="vm1.qcow2" dev="dm-0" ino=\d+ scontext=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0\.c15 tcontext=system_u:object_r:svirt_image_t:s0-s0:c3 tclass=file permissive=0$/);
    host.refresh();
    expect(host.fs.get(`${IMG}/vm1.qcow2`)!.label).toBe('system_u:object_r:virt_image_t:s0');
  });

  it('a malformed context is a typed error, nothing changes', () => {
    const host = makeHost();
    expect(() => host.chcon('system_u:object_r:no_such_t:s0', '/etc/shadow')).toThrow(/chcon/);
    expect(host.fs.get('/etc/shadow')!.label).toBe('system_u:object_r:shadow_t:s0');
  });
});
