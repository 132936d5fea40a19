import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { svirt } from '../support/cli.js';
import { HOST_TEST_POLICY } from '../host/fixtures-policy.js';

let dir: string;
let common: string[];
const IMG = '/var/lib/libvirt/images';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'svirt-host-cli-'));
  writeFileSync(join(dir, 'policy.conf'), HOST_TEST_POLICY);
  common = ['--state', join(dir, 'host.db'), '--policy', join(dir, 'policy.conf')];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('svirt host: a guest life through the CLI', () => {
  it('define, start, ps/ls, attack denied (exit 1) with its audit record, stop', async () => {
    expect(await svirt('host', 'define', '--name', 'vm1', '--disk', `${IMG}/vm1.qcow2`, ...common)).toEqual({ code: 0, out: "Domain 'vm1' defined\n", err: '' });
    expect((await svirt('host', 'define', '--name', 'vm2', '--disk', `${IMG}/vm2.qcow2`, ...common)).code).toBe(0);

    const start = await svirt('host', 'start', 'vm1', ...common);
    expect(start.code).toBe(0);
    expect(start.out).toMatch(/^Domain 'vm1' started\nSecurity model: selinux\nSecurity label: system_u:system_r:svirt_t:s0:c\d+,c\d+ \(enforcing\)\nSecurity model: dac\nSecurity label: \+107:\+107\n$/);
    const label1 = /Security label: (\S+)/.exec(start.out)![1]!;
    expect((await svirt('host', 'start', 'vm2', ...common)).code).toBe(0);

    const ps = await svirt('host', 'ps', ...common);
    expect(ps.out.split('\n')[0]).toBe('LABEL                               PID TTY          TIME CMD');
    expect(ps.out).toContain(label1);

    const ls = await svirt('host', 'ls', `${IMG}/vm1.qcow2`, ...common);
    expect(ls.out).toBe(`${label1.replace('system_r:svirt_t', 'object_r:svirt_image_t')} ${IMG}/vm1.qcow2\n`);

    const attack = await svirt('host', 'attack', 'vm1', `${IMG}/vm2.qcow2`, ...common);
    expect(attack.code).toBe(1);
    expect(attack.out).toMatch(/^qemu-kvm\[\d+\] \(system_u:system_r:svirt_t:s0:c\d+,c\d+\) read \/var\/lib\/libvirt\/images\/vm2\.qcow2: Permission denied\n/);
    const record = attack.out.split('\n')[1]!;
    expect(record).toMatch(
      /^type=AVC msg=audit\(\d+\.\d{3}:1\): avc: {2}denied {2}\{ read \} for {2}pid=\d+ comm="qemu-kvm" path="\/var\/lib\/libvirt\/images\/vm2\.qcow2" dev="dm-0" ino=\d+ scontext=system_u:system_r:svirt_t:s0:c\d+,c\d+ tcontext=system_u:object_r:svirt_image_t:s0:c\d+,c\d+ tclass=file permissive=0$/,
    );
    // the record persists in the state file
    expect((await svirt('host', 'audit', ...common)).out).toBe(`${record}\n`);
    // own image: allowed, exit 0
    expect((await svirt('host', 'attack', 'vm1', `${IMG}/vm1.qcow2`, '--perm', 'write', ...common)).code).toBe(0);

    expect(await svirt('host', 'stop', 'vm1', ...common)).toEqual({ code: 0, out: "Domain 'vm1' shut off\n", err: '' });
    expect((await svirt('host', 'ls', `${IMG}/vm1.qcow2`, ...common)).out).toBe(`system_u:object_r:virt_image_t:s0 ${IMG}/vm1.qcow2\n`);
    expect((await svirt('host', 'destroy', 'vm2', ...common)).out).toBe("Domain 'vm2' destroyed\n");
  });

  it('bad usage and input exit 2 with a clear message and leave the state as it was', async () => {
    expect((await svirt('host', 'define', '--name', 'vm1', '--disk', `${IMG}/vm1.qcow2`, ...common)).code).toBe(0);
    expect(await svirt('host', 'start', 'ghost', ...common)).toMatchObject({ code: 2, err: 'svirt: guest "ghost" is not defined\n' });
    expect((await svirt('host', 'start', 'vm1', ...common)).code).toBe(0);
    const before = (await svirt('host', 'ps', '--json', ...common)).out;
    expect(await svirt('host', 'start', 'vm1', ...common)).toMatchObject({ code: 2, err: 'svirt: guest "vm1" is already running\n' });
    expect((await svirt('host', 'ps', '--json', ...common)).out).toBe(before);
    const bad = await svirt('host', 'chcon', 'system_u:object_r:no_such_t:s0', '/etc/shadow', ...common);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^svirt: chcon: .*no_such_t/);
    expect((await svirt('host', 'attack', 'vm1', '/nope', ...common)).code).toBe(2);
    expect((await svirt('host', 'attack', 'vm1', '/etc/shadow', '--perm', 'fly', ...common)).code).toBe(2);
  });

  it('a state file that is not ours is refused with exit 2 and left untouched', async () => {
    const foreign = join(dir, 'foreign.db');
    writeFileSync(foreign, 'this is not a database, just text that happens to be long enough........');
    const before = readFileSync(foreign);
    const r = await svirt('host', 'ps', '--state', foreign, '--policy', join(dir, 'policy.conf'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^svirt: /);
    expect(readFileSync(foreign)).toEqual(before);
  });

  it('chcon: allowed for the admin (exit 0), a denied relabel exits 1 with the record', async () => {
    await svirt('host', 'define', '--name', 'vm1', '--disk', `${IMG}/vm1.qcow2`, ...common);
    expect(await svirt('host', 'chcon', 'system_u:object_r:svirt_image_t:s0:c5,c6', `${IMG}/vm1.qcow2`, ...common)).toEqual({ code: 0, out: '', err: '' });
    expect((await svirt('host', 'ls', `${IMG}/vm1.qcow2`, ...common)).out).toBe(`system_u:object_r:svirt_image_t:s0:c5,c6 ${IMG}/vm1.qcow2\n`);
    const denied = await svirt('host', 'chcon', 'system_u:object_r:svirt_image_t:s0-s0:c5', `${IMG}/vm1.qcow2`, ...common);
    expect(denied.code).toBe(1);
    expect(denied.err).toMatch(/^chcon: failed to change context of '\/var\/lib\/libvirt\/images\/vm1\.qcow2' to 'system_u:object_r:svirt_image_t:s0-s0:c5': Permission denied\ntype=AVC msg=audit\(\d+\.\d{3}:1\): avc: {2}denied {2}\{ relabelto \}/);
  });
});
